"""The one CSV writer of the project: cells a spreadsheet would run as a formula are defused.

Every CSV the project writes (the console's report tables, ``/admin/units.csv`` and ``teams
export``) goes through :func:`csv_text`. A text cell starting with ``= + - @ | %`` is quoted
with a leading ``'`` by the kept library ``defusedcsv`` (a negative number such as ``-3`` stays
a number); a cell starting with a tab or a carriage return, which ``defusedcsv`` lets through
and Excel trims before reading a formula, gets the same ``'``. :func:`undefused` removes that
``'`` again when such a file is read back (the registry imports its own export unchanged).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from defusedcsv import csv as defused  # type: ignore[import-untyped]

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it
_TRIGGERS = ("=", "+", "-", "@", "|", "%", "\t", "\r")
_WHITESPACE = ("\t", "\r")

Cell = str | int | float | None


def _cell(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_WHITESPACE):
        return "'" + value
    return "" if value is None else value


def csv_text(head: Sequence[str], rows: Iterable[Sequence[Cell]], *, bom: bool = False,
             lineterminator: str = "\r\n") -> str:
    """The table as CSV text; ``bom``: start with a byte-order mark, for Excel."""
    out = io.StringIO()
    writer = defused.writer(out, lineterminator=lineterminator)
    writer.writerow([_cell(h) for h in head])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return (BOM if bom else "") + out.getvalue()


def undefused(value: str) -> str:
    """A cell read back from a file :func:`csv_text` wrote, without the defusing ``'``."""
    if not value.startswith("'") or not value[1:].startswith((*_TRIGGERS, "\\|")):
        return value
    body = value[1:]
    return body if body[0] in _WHITESPACE else body.replace("\\|", "|")
