"""``python -m bot flows validate|list|schema`` on guide files, and ``flows export|import DIR``:
the database's guides as files, through the same services as the console and the start-up
import."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from bot.app import open_services
from bot.flowspec import load_flows
from bot.flowspec.model import Flow

DEFAULT_DIR = Path("flows")


def _validate(args: argparse.Namespace) -> int:
    loaded, problems = load_flows(args.paths or [DEFAULT_DIR])
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(loaded)} flow(s) checked", file=sys.stderr)
        return 1
    if not loaded:
        print("no flow files found", file=sys.stderr)
        return 1
    print(f"ok: {len(loaded)} flow(s)", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    loaded, problems = load_flows(args.paths or [DEFAULT_DIR])
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = [
        {"id": f.flow.id, "title": f.flow.title, "intents": f.flow.intents,
         "steps": len(f.flow.steps)}
        for f in sorted(loaded, key=lambda item: item.flow.id)
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']:<24} {row['steps']:>3} steps  {row['title']}")
    return 1 if problems else 0


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(Flow.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


async def _export(target: Path) -> int:
    """The stored guides, after importing ``flows/`` exactly as the server starts."""
    async with open_services() as services:
        content, _ = await services.seeded_content()
        flows = await content.flows.export_dir(target)
        communes = await content.communes.export_dir(target / "communes")
    print(f"exported {len(flows)} guide(s) and {len(communes)} commune(s) to {target}")
    return 0


async def _import(source: Path) -> int:
    async with open_services() as services:
        content, _ = await services.seeded_content()
        stored, problems = await content.flows.import_dir(source)
        communes = await content.communes.import_dir(source / "communes")
    for problem in problems:
        print(problem, file=sys.stderr)
    for version in stored:
        state = "published" if version.published else "draft (not served)"
        print(f"{version.flow_id}: version {version.version}, {state}")
    print(f"{len(stored)} guide(s) and {len(communes)} commune(s) changed")
    return 1 if problems else 0


def _export_handler(args: argparse.Namespace) -> int:
    return asyncio.run(_export(args.directory))


def _import_handler(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(_import(args.directory))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    flows = commands.add_parser("flows", help="check and list guide files")
    sub = flows.add_subparsers(dest="flows_command", required=True)
    validate = sub.add_parser("validate", help="report every problem as file:line: message")
    validate.add_argument("paths", nargs="*", type=Path)
    validate.set_defaults(handler=_validate)
    listing = sub.add_parser("list", help="list the guides")
    listing.add_argument("paths", nargs="*", type=Path)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    schema = sub.add_parser("schema", help="print the flow format as JSON Schema")
    schema.set_defaults(handler=_schema)
    export = sub.add_parser("export", help="write every published guide (and the communes) "
                                           "as YAML in the format of flows/")
    export.add_argument("directory", type=Path)
    export.set_defaults(handler=_export_handler)
    load = sub.add_parser("import", help="import guide files as at start-up (changed files "
                                         "become new versions; broken ones are never served)")
    load.add_argument("directory", type=Path)
    load.set_defaults(handler=_import_handler)
