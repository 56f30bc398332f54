"""The registry's CSV format: reading (every problem as ``file:line: message``, nothing half
imported) and writing (what ``teams export`` prints, which imports again unchanged).

Columns: ``unit_id``, ``parent_id`` (empty for the province; a commune without one stands
alone, as the seed files' communes do), ``level`` (``province`` |
``commune`` | ``village``), ``name``; optional ``team_name``, ``team_phone``, ``hours``
(``07:00-21:00``), ``escalate_after`` (minutes) and ``escalate_to`` (a unit id). A column left
out of the header keeps what is stored; an empty cell clears it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.privacy.spreadsheet import csv_text, undefused
from bot.storage.teams import UnitRow
from bot.teams.directory import LEVELS, name_key
from bot.teams.hours import Hours

UNIT_ID = re.compile(r"^[a-z0-9_]{1,30}$")
REQUIRED = ("unit_id", "parent_id", "level", "name")
OPTIONAL = ("team_name", "team_phone", "hours", "escalate_after", "escalate_to")
COLUMNS = REQUIRED + OPTIONAL
# CSV column -> units column, for the optional ones
_STORED = {"team_name": "team_name", "team_phone": "team_phone", "hours": "hours",
           "escalate_after": "escalate_minutes", "escalate_to": "escalate_to"}
_PARENT_LEVEL = {"province": None, "commune": "province", "village": "commune"}
MAX_PROBLEMS = 50
MAX_ESCALATE = 7 * 24 * 60


@dataclass
class Parsed:
    """The rows of a file, or its problems (then nothing may be imported)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # unit id -> line, for later checks
    problems: list[str] = field(default_factory=list)


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] if value else None


def parse(name: str, data: bytes) -> Parsed:
    """Read and check a whole file on its own (the stored units are checked later)."""
    parsed = Parsed()
    problem = parsed.problems.append
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem(f"{name}:1: not UTF-8 text (byte {error.start}); save the file as "
                "\"CSV UTF-8\"")
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        problem(f"{name}:1: the file is empty; the first line names the columns: "
                + ",".join(COLUMNS))
        return parsed
    except csv.Error as error:
        problem(f"{name}:1: {error}")
        return parsed
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    twice = sorted({c for c in header if header.count(c) > 1})
    if missing:
        problem(f"{name}:1: missing column(s): {', '.join(missing)}")
    if unknown:
        problem(f"{name}:1: unknown column(s): {', '.join(unknown)} "
                f"(known: {', '.join(COLUMNS)})")
    if twice:
        problem(f"{name}:1: column(s) named twice: {', '.join(twice)}")
    if parsed.problems:
        return parsed
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problem(f"{name}:{start}: expected {len(header)} fields, got {len(cells)}")
                continue
            _row(parsed, name, start,
                 dict(zip(header, map(undefused, cells), strict=True)))
    except csv.Error as error:
        problem(f"{name}:{line + 1}: {error}")
    if not parsed.rows and not parsed.problems:
        problem(f"{name}:2: no units in the file")
    _check_tree(parsed, name)
    return parsed


def _row(parsed: Parsed, name: str, line: int, cells: dict[str, str]) -> None:
    problems: list[str] = []
    unit_id = cells["unit_id"].strip()
    parent = cells["parent_id"].strip() or None
    level = cells["level"].strip().lower()
    title = cells["name"].strip()
    if not UNIT_ID.match(unit_id):
        problems.append(f"unit_id {unit_id!r} must be 1-30 of a-z, 0-9 and _")
    elif unit_id in parsed.lines:
        problems.append(f"unit_id {unit_id} is also on line {parsed.lines[unit_id]}")
    if level not in LEVELS:
        problems.append(f"level {level!r} must be one of {', '.join(LEVELS)}")
    if not title:
        problems.append("name is empty")
    elif len(title) > 100:
        problems.append("name is longer than 100 characters")
    if parent is not None and not UNIT_ID.match(parent):
        problems.append(f"parent_id {parent!r} must be 1-30 of a-z, 0-9 and _")
    elif parent == unit_id:
        problems.append("a unit cannot be its own parent")
    elif level == "province" and parent is not None:
        problems.append("a province has no parent_id")
    elif level == "village" and parent is None:
        problems.append("a village needs a parent_id")
    row: dict[str, Any] = {"id": unit_id, "parent_id": parent, "level": level, "name": title,
                           "name_key": name_key(title)[:100]}
    for column, stored in _STORED.items():
        if column in cells:
            row[stored] = _optional(column, cells[column], unit_id, problems)
    for message in problems:
        parsed.problems.append(f"{name}:{line}: {message}")
    if UNIT_ID.match(unit_id) and unit_id not in parsed.lines:
        parsed.lines[unit_id] = line
    if not problems:
        parsed.rows.append(row)


def _optional(column: str, value: str, unit_id: str, problems: list[str]) -> Any:
    if column == "team_name":
        return _limited(value, 100, column, problems)
    if column == "team_phone":
        return _limited(value, 60, column, problems)
    text = value.strip()
    if not text:
        return None
    if column == "hours":
        try:
            Hours.parse(text)
        except ValueError:
            problems.append(f"hours {text!r} must look like 07:00-21:00")
        return text
    if column == "escalate_after":
        if not text.isdigit() or not 1 <= int(text) <= MAX_ESCALATE:
            problems.append(f"escalate_after {text!r} must be minutes, 1 to {MAX_ESCALATE}")
            return None
        return int(text)
    if not UNIT_ID.match(text) or text == unit_id:  # escalate_to
        problems.append(f"escalate_to {text!r} must be another unit's id")
    return text


def _limited(value: str, limit: int, column: str, problems: list[str]) -> str | None:
    text = value.strip()
    if len(text) > limit:
        problems.append(f"{column} is longer than {limit} characters")
    return text or None


def _check_tree(parsed: Parsed, name: str) -> None:
    """Parents within the file: the right level (a parent stored earlier is checked with the
    stored units, see :func:`check_against`)."""
    levels = {r["id"]: r["level"] for r in parsed.rows}
    for row in parsed.rows:
        parent = row["parent_id"]
        if parent in levels and levels[parent] != _PARENT_LEVEL[row["level"]]:
            parsed.problems.append(
                f"{name}:{parsed.lines[row['id']]}: the parent of a {row['level']} must be a "
                f"{_PARENT_LEVEL[row['level']]}, but {parent} is a {levels[parent]}")


def check_against(parsed: Parsed, name: str, stored: dict[str, tuple[str | None, str]]
                  ) -> list[str]:
    """Problems of the file given the units already stored (id -> (parent, level))."""
    problems: list[str] = []
    levels = {uid: level for uid, (_, level) in stored.items()}
    levels.update({r["id"]: r["level"] for r in parsed.rows})
    for row in parsed.rows:
        line = parsed.lines[row["id"]]
        parent = row["parent_id"]
        if parent is not None and parent not in levels:
            problems.append(f"{name}:{line}: parent_id {parent} is neither in the file nor "
                            "stored")
        elif parent is not None and levels[parent] != _PARENT_LEVEL[row["level"]]:
            problems.append(f"{name}:{line}: the parent of a {row['level']} must be a "
                            f"{_PARENT_LEVEL[row['level']]}, but {parent} is a "
                            f"{levels[parent]}")
        target = row.get("escalate_to")
        if target is not None and target not in levels:
            problems.append(f"{name}:{line}: escalate_to {target} is neither in the file nor "
                            "stored")
    in_file = {r["id"]: r for r in parsed.rows}
    for uid, (parent, level) in stored.items():
        if uid in in_file or parent is None or parent not in in_file:
            continue
        new_level = in_file[parent]["level"]
        if new_level != _PARENT_LEVEL[level]:
            problems.append(f"{name}:{parsed.lines[parent]}: {parent} cannot become a "
                            f"{new_level}: the stored {level} {uid} belongs to it")
    return problems


def limited(problems: Sequence[str]) -> list[str]:
    """At most :data:`MAX_PROBLEMS` lines, and how many more there were."""
    shown = list(problems[:MAX_PROBLEMS])
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"... and {len(problems) - MAX_PROBLEMS} more problem(s)")
    return shown


def write(units: Iterable[UnitRow]) -> str:
    """Every unit as CSV, provinces first, each level by id: imports back unchanged (a cell a
    spreadsheet would run as a formula is written defused, and read back as it was)."""
    order = {level: n for n, level in enumerate(LEVELS)}
    return csv_text(COLUMNS, ([unit.id, unit.parent_id, unit.level, unit.name, unit.team_name,
                               unit.team_phone, unit.hours, unit.escalate_minutes or None,
                               unit.escalate_to]
                              for unit in sorted(units, key=lambda u: (order.get(u.level, 9),
                                                                       u.id))),
                    lineterminator="\n")
