"""``python -m bot flows validate|list|schema``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

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
