"""``python -m bot nlu train --with-console-examples`` and ``python -m bot nlu
export-examples``: the learning loop from the command line (same services as the console)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from bot.app import build_runtime, open_services
from bot.config import Settings
from bot.nluloop.examples import export_examples
from bot.nluloop.training import job_json
from bot.storage.nlu import DONE


def train_with_console_examples(args: argparse.Namespace) -> int:
    """Train on the repository's files plus the console's examples, and measure the active
    model and the new one on the held-out sets (nothing is activated: that is the console's
    decision, behind the gate)."""
    settings = dataclasses.replace(Settings.from_env(), nlu_mode="keywords")
    if args.config is not None:
        settings = dataclasses.replace(settings, nlu_config=args.config)

    async def run() -> dict[str, Any]:
        async with build_runtime(settings) as runtime:
            learning = runtime.console.learning
            job = await learning.trainer.start(None)
            print(f"job {job.id}: training (the console shows it too)", file=sys.stderr)
            done = await learning.trainer.wait(job.id)
            assert done is not None
            return job_json(done)

    result = asyncio.run(run())
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print(result)
    return 0 if result["state"] == DONE else 1


def _print(result: dict[str, Any]) -> None:
    if result["state"] != DONE:
        print(f"job {result['job']} {result['state']}: {result['error']}", file=sys.stderr)
        return
    old, new = result["old"], result["new"]
    print(f"trained {new['model']} in {result['train_seconds']} s")
    for name, key in (("accuracy", "accuracy"), ("macro-F1", "macro_f1")):
        before = f"{old[key]:.4f}" if old[key] is not None else "-"
        print(f"held-out {name}: {before} (active {old['model'] or '-'}) -> {new[key]:.4f}")
    changed = [r for r in result["per_intent"] if r["old_f1"] != r["new_f1"]]
    for row in changed:
        print(f"  {row['intent']:<18} F1 {row['old_f1']} -> {row['new_f1']}")
    print(f"activate it in the console: /admin/nlu/jobs/{result['job']}")


def export(args: argparse.Namespace) -> int:
    async def run() -> tuple[Path, int]:
        async with open_services() as services:
            return await export_examples(services.examples(), args.out)

    file, count = asyncio.run(run())
    print(f"{count} examples written to {file}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``nlu export-examples`` (``--with-console-examples`` is an option of ``nlu train``)."""
    parser = sub.add_parser("export-examples",
                            help="write the console's examples to nlu/training/console.yml")
    parser.add_argument("--out", type=Path, default=Settings().nlu_paths.training,
                        help="folder (default: nlu/training)")
    parser.set_defaults(handler=export)
