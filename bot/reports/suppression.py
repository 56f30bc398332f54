"""Complementary suppression: a figure about fewer than five residents ("<5") cannot be worked
out from the other figures of the same report (page, API and CSV show the same cells).

A report is a set of named cells and the sums that tie them (a total is the sum of its guides,
of its units and what the unit itself did; a funnel step's runs are the next step's plus those
who stopped there; a guide's runs are its first step's). A cell of 1 to 4 is hidden as "<5"
(*primary*). Then, as a careful reader would, :func:`recovered` bounds every hidden cell from
the shown ones through those sums (bounds propagation, and Gaussian elimination for the
combinations of several sums); while one is pinned to a single value, a further cell of a sum
it is in is hidden as "—" (*secondary*: not the report's totals if another cell will do,
and the largest, so the range stays wide).
Rates, shares and medians are shown only when the cells they are built on are (see
:class:`~bot.reports.results.Report`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

SMALL = 5
HIDDEN = "<5"
WITHHELD = "—"  # hidden so that a "<5" beside it cannot be worked out
Cell = int | str
UNBOUNDED = math.inf
HEADLINE = "totals."  # the report's own totals: withheld only when nothing else will do


@dataclass(frozen=True)
class Equation:
    """``total`` is the sum of ``parts`` (cells named by key)."""

    total: str
    parts: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


Bounds = dict[str, tuple[float, float]]


def publish(values: Mapping[str, int], equations: Iterable[Equation], *, exact: bool,
            unpublished: Iterable[str] = ()) -> dict[str, Cell]:
    """Every cell as shown: its number, "<5" or "—". ``unpublished`` cells take part in the
    sums but are never shown (what a unit did itself, beside its units below)."""
    if exact:
        return dict(values)
    sums = [e for e in equations if all(k in values for k in e.keys)]
    free = set(unpublished)
    hidden: Bounds = {k: (0.0, UNBOUNDED) for k in free}
    hidden.update({k: (1.0, SMALL - 1.0) for k, v in values.items()
                   if 0 < v < SMALL and k not in free})
    small = {k for k in hidden if k not in free}
    while True:
        pinned = recovered(values, hidden, sums)
        if not small & pinned.keys():
            break
        # Beside a pinned "—" first (the leak runs through it), then beside the "<5".
        order = sorted(pinned, key=lambda k: (k in small, k))
        if not any(_withhold_beside(k, values, hidden, sums) for k in order):
            break  # everything around is hidden already
    return {k: (HIDDEN if 0 < v < SMALL else WITHHELD) if k in hidden else v
            for k, v in values.items() if k not in free}


def _withhold_beside(key: str, values: Mapping[str, int], hidden: Bounds,
                     sums: list[Equation]) -> bool:
    around = {k for e in sums if key in e.keys for k in e.keys if k not in hidden}
    if not around:
        return False
    # not a headline figure if another will do, then the largest (a wide range)
    chosen = max(around, key=lambda k: (not k.startswith(HEADLINE), values[k], k))
    value = values[chosen]
    hidden[chosen] = (SMALL, UNBOUNDED) if value >= SMALL else (0.0, UNBOUNDED)
    return True


def recovered(values: Mapping[str, int], hidden: Bounds, sums: list[Equation]
              ) -> dict[str, int]:
    """The hidden cells a reader can pin to one value from the shown ones: ``hidden`` gives
    what the reader knows of each (1–4 for "<5")."""
    rows = []
    for equation in sums:  # total - parts = 0, the shown cells moved to the right side
        row: dict[str, Fraction] = {}
        constant = Fraction(0)
        for key, sign in ((equation.total, 1), *((p, -1) for p in equation.parts)):
            if key in hidden:
                row[key] = row.get(key, Fraction(0)) + sign
            else:
                constant -= sign * values[key]
        row = {k: c for k, c in row.items() if c}
        if row:
            rows.append((row, constant))
    rows += _eliminated(rows)
    bounds = {k: (float(lo), float(hi)) for k, (lo, hi) in hidden.items()}
    for _ in range(50):  # to a fixed point; each round only narrows
        changed = False
        for row, constant in rows:
            for key, coefficient in row.items():
                low, high = _solve_for(key, coefficient, row, constant, bounds)
                old = bounds[key]
                new = (max(old[0], _ceil(low)), min(old[1], _floor(high)))
                if new != old and new[0] <= new[1]:
                    bounds[key] = new
                    changed = True
        if not changed:
            break
    return {k: int(lo) for k, (lo, hi) in bounds.items() if lo == hi}


def _solve_for(key: str, coefficient: Fraction, row: dict[str, Fraction], constant: Fraction,
               bounds: Bounds) -> tuple[float, float]:
    """Bounds of ``key`` from ``coefficient * key + rest = constant``."""
    low = high = float(constant)
    for other, c in row.items():
        if other == key:
            continue
        lo, hi = bounds[other]
        products = (float(c) * lo if lo != UNBOUNDED else _inf(c, lo),
                    float(c) * hi if hi != UNBOUNDED else _inf(c, hi))
        low -= max(products)
        high -= min(products)
    low, high = low / float(coefficient), high / float(coefficient)
    return (min(low, high), max(low, high))


def _ceil(value: float) -> float:
    return value if math.isinf(value) else float(math.ceil(value - 1e-9))


def _floor(value: float) -> float:
    return value if math.isinf(value) else float(math.floor(value + 1e-9))


def _inf(coefficient: Fraction, bound: float) -> float:
    return math.copysign(UNBOUNDED, float(coefficient) * bound)


def _eliminated(rows: list[tuple[dict[str, Fraction], Fraction]]
                ) -> list[tuple[dict[str, Fraction], Fraction]]:
    """The rows of the reduced echelon form: what several sums say together."""
    keys = sorted({k for row, _ in rows for k in row})
    matrix = [[row.get(k, Fraction(0)) for k in keys] + [constant] for row, constant in rows]
    pivot_row = 0
    for column in range(len(keys)):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][column]), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][column]
        matrix[pivot_row] = [v / lead for v in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][column]:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row],
                                                            strict=True)]
        pivot_row += 1
    reduced = []
    for line in matrix[:pivot_row]:
        row = {k: c for k, c in zip(keys, line[:-1], strict=True) if c}
        if row:
            reduced.append((row, line[-1]))
    return reduced
