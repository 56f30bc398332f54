"""Cutting a long reply into message-sized pieces, the same way for every channel.

Each platform counts length its own way (Telegram in UTF-16 code units, Zalo in characters),
so the measure is a parameter; the cutting rule is shared: between lines where possible,
else at a space, else hard.
"""

from __future__ import annotations

from collections.abc import Callable

Measure = Callable[[str], int]


def _cut(line: str, limit: int, measure: Measure) -> list[str]:
    """A single line longer than ``limit``: cut at spaces, or hard when there is none."""
    pieces: list[str] = []
    while measure(line) > limit:
        end = min(len(line), limit)
        while measure(line[:end]) > limit:
            end -= 1
        space = line.rfind(" ", 0, end)
        end = space if space > 0 else end
        pieces.append(line[:end])
        line = line[end:].lstrip(" ")
    return [*pieces, line]


def split_text(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Pieces of at most ``limit`` (as ``measure`` counts), cut between lines where possible;
    pieces with nothing but blanks are dropped."""
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _cut(line, limit, measure):
            candidate = f"{current}\n{part}" if current else part
            if measure(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = part
    pieces.append(current)
    return [p for p in pieces if p.strip()]
