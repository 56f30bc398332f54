"""``python -m bot bench …`` and ``python -m bot bench-reports …``: the benchmarks, which live
in the repository's top-level ``bench/`` folder, outside the application. These commands run
``python -m bench`` with the same arguments (``--help`` included), so the application never
imports a benchmark."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
BENCHMARKS = {"bench": "turns/second, latency and CPU per turn",
              "bench-reports": "the results dashboard on a province-sized database"}


def _forward(args: argparse.Namespace) -> int:
    if not (REPOSITORY / "bench" / "__main__.py").is_file():
        print("bench: the benchmarks are in the repository's bench/ folder, not installed "
              "here", file=sys.stderr)
        return 2
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), path]))}
    command = [sys.executable, "-m", "bench", args.command, *args.forwarded]
    return subprocess.run(command, env=env, check=False).returncode


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, text in BENCHMARKS.items():
        parser = commands.add_parser(name, help=f"{text} (see bench/)", add_help=False)
        parser.set_defaults(handler=_forward, forwards=True)
