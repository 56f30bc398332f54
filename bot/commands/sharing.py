"""``python -m bot share-codes``: the code of every guide (and of a unit's team links), for
handouts printed next to the OA's QR code."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging

from bot.app import build_runtime
from bot.communes import COMMUNE_ID
from bot.config import Settings


async def _list(unit: str | None) -> list[dict[str, str | None]]:
    settings = dataclasses.replace(Settings.from_env(), nlu_mode="keywords")
    async with build_runtime(settings) as runtime:
        catalog = runtime.catalog
        if unit is not None:
            for flow_id in catalog.flows:
                await runtime.codes.code_for(catalog, flow_id, unit)
        return [{"code": c.code, "flow": c.flow_id, "unit": c.unit,
                 "title": catalog.flows[c.flow_id].flow.title}
                for c in await runtime.codes.all()
                if c.flow_id in catalog.flows and c.unit == unit]


def _share_codes(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.unit is not None and not COMMUNE_ID.match(args.unit):
        print("--unit: 1-30 of a-z 0-9 _ (the commune file's name)")
        return 2
    rows = asyncio.run(_list(args.unit))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['code']:<7} {row['flow']:<22} {row['title']}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "share-codes", help="the short code residents send to the Zalo OA to open each guide")
    parser.add_argument("--unit", default=None,
                        help="a commune/unit id: list (and make) that team's link codes")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_share_codes)
