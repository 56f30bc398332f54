"""``python -m bot residents export|delete <channel>:<id>`` for staff answering a request."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.app import open_services


def _resident(value: str) -> tuple[str, str]:
    channel, sep, external_id = value.partition(":")
    if not sep or not channel or not external_id:
        raise argparse.ArgumentTypeError("expected <channel>:<id>, e.g. telegram:123456789")
    return channel, external_id


async def _with_rights(action: str, channel: str, external_id: str) -> Any:
    async with open_services() as services:
        rights = services.data_rights()
        if action == "export":
            return await rights.export(channel, external_id)
        return await rights.erase(channel, external_id)


def _export(args: argparse.Namespace) -> int:
    channel, external_id = args.resident
    data = asyncio.run(_with_rights("export", channel, external_id))
    if data is None:
        print(f"nothing stored about {channel}:{external_id}", file=sys.stderr)
        return 1
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return 0


def _delete(args: argparse.Namespace) -> int:
    channel, external_id = args.resident
    erased = asyncio.run(_with_rights("delete", channel, external_id))
    if erased is None:
        print(f"nothing stored about {channel}:{external_id}", file=sys.stderr)
        return 1
    print(json.dumps({"erased": f"{channel}:{external_id}", "messages": erased.messages,
                      "events": erased.events, "unanswered": erased.unanswered,
                      "handoffs": erased.handoffs}))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    residents = commands.add_parser("residents", help="a resident's data: export or erase")
    sub = residents.add_subparsers(dest="residents_command", required=True)
    export = sub.add_parser("export", help="everything stored about one resident, as JSON")
    export.add_argument("resident", type=_resident, help="<channel>:<id>")
    export.set_defaults(handler=_export)
    delete = sub.add_parser("delete", help="erase one resident (anonymous counts remain)")
    delete.add_argument("resident", type=_resident, help="<channel>:<id>")
    delete.set_defaults(handler=_delete)
