"""Read flow files into :class:`Flow` models, reporting every problem as ``file:line: message``.

:mod:`bot.flowspec.safeyaml` keeps the line of every value, so pydantic's error locations
(``("steps", 3, "buttons", 0, "next")``) can be mapped back to the line an author must fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.flowspec.model import Flow
from bot.flowspec.safeyaml import MAX_CHARS, Location, YamlProblem, read_yaml


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a flow file."""

    file: str
    line: int
    message: str
    # Where in the document (``("steps", 3, "buttons", 0, "next")``), for editors that show
    # the message next to the field rather than by line.
    loc: Location = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class LoadedFlow:
    """A valid flow with the line of each of its YAML nodes, for the later static checks."""

    flow: Flow
    file: str
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, *loc: str | int) -> int:
        return line_for(self.lines, loc)


def line_for(lines: dict[Location, int], loc: Location) -> int:
    """The line of the deepest known node on the way to ``loc``."""
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def _describe(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown field `{error['loc'][-1]}`"
    if kind == "missing":
        return f"missing field `{loc}`"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


def parse_flow(text: str, file: str) -> tuple[LoadedFlow | None, list[Problem]]:
    """Parse one flow document. Returns the flow (or None) and the problems found."""
    try:
        document = read_yaml(text)
    except YamlProblem as exc:
        return None, [Problem(file, exc.line, exc.message)]
    if document.data is None:
        return None, [Problem(file, 1, "the file is empty")]
    data, lines = document.data, document.lines
    problems = [Problem(file, line, message) for line, message in document.warnings]
    if not isinstance(data, dict):
        return None, [Problem(file, 1, "a flow file must be a mapping (id, title, steps, ...)")]
    try:
        flow = Flow.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            line = line_for(lines, tuple(error["loc"]))
            problems.append(Problem(file, line, _describe(dict(error)), tuple(error["loc"])))
        return None, sorted(problems)
    return LoadedFlow(flow=flow, file=file, lines=lines), problems


def read_flow_file(path: Path) -> tuple[LoadedFlow | None, list[Problem]]:
    """Read and parse one file, turning I/O and encoding errors into problems."""
    try:
        if path.stat().st_size > MAX_CHARS * 4:  # UTF-8: at most 4 bytes a character
            return None, [Problem(str(path), 1, f"the file is too large (at most "
                                                f"{MAX_CHARS // 1024} KiB)")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(str(path), 1, f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return None, [Problem(str(path), 1, f"cannot read: {exc.strerror}")]
    return parse_flow(text, str(path))


def flow_files(paths: list[Path]) -> list[Path]:
    """Expand directories into the ``*.yml``/``*.yaml`` files they hold, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.suffix in {".yml", ".yaml"} and p.is_file()))
        else:
            found.append(path)
    return found
