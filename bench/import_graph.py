"""``python -m bench.import_graph [--json]``: the shape of ``bot``'s import graph, as JSON.

The units are ``bot``'s direct children (packages and modules, as the layers contract names
them). A unit imports another when any of its modules does (``TYPE_CHECKING`` imports
included). Imports that close a cycle, found depth-first in name order, are the ones "pointing
back up"; with them set aside, a unit's layer is the length of its longest chain of imports
down to a unit that imports no other, and ``layers`` is the height of the tower.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from typing import Any

import grimp


def unit(module: str) -> str:
    return ".".join(module.split(".")[:2])


def measure(package: str = "bot") -> dict[str, Any]:
    graph = grimp.build_graph(package, include_external_packages=False)
    modules = sorted(m for m in graph.modules if m != package)
    units = sorted({unit(m) for m in modules})
    edges: dict[str, set[str]] = {u: set() for u in units}
    lines: dict[tuple[str, str], int] = {}
    for importer in modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported == package:
                continue
            a, b = unit(importer), unit(imported)
            if a != b:
                edges[a].add(b)
                lines[(a, b)] = lines.get((a, b), 0) + 1
    back: list[tuple[str, str]] = []
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                back.append((node, target))
            elif target not in state:
                visit(target)
        state[node] = 2

    for node in units:
        if node not in state:
            visit(node)
    down = {u: edges[u] - {b for a, b in back if a == u} for u in units}
    height: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in height:
            height[node] = 1 + max((level(t) for t in down[node]), default=0)
        return height[node]

    return {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "modules": len(modules),
        "units": len(units),
        "layers": max((level(u) for u in units), default=0),
        "upward_imports": len(back),
        "upward": [{"from": a, "to": b, "imports": lines[(a, b)]} for a, b in back],
        "unit_layers": {u: level(u) for u in sorted(units, key=lambda u: (-level(u), u))},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_graph")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    args = parser.parse_args(argv)
    print(json.dumps(measure(), indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
