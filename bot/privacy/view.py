"""A folded view of a text, where secrets are easy to find, with the way back to the original.

Residents write digits as full-width (``０９１２``) or mathematical (``𝟎𝟗𝟏𝟐``) characters when
they paste from other apps, superscripts by accident, and words with or without diacritics.
The view is the text in NFKC, lower case, without diacritics and with ASCII digits, so one
pattern finds every spelling; each character of the view remembers the characters of the
original it came from, so a match is replaced in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_piece(piece: str) -> str:
    """NFKC, ASCII digits, no diacritics, lower case (đ -> d)."""
    compat = unicodedata.normalize("NFKC", piece).replace("đ", "d").replace("Đ", "D")
    plain = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
                    for ch in unicodedata.normalize("NFD", compat)
                    if unicodedata.category(ch) != "Mn")
    return plain.lower()


@dataclass(frozen=True)
class View:
    text: str
    starts: list[int]  # the original index where the view's i-th character starts
    ends: list[int]  # ... and where it ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the view's ``[start, end)``."""
        return self.starts[start], self.ends[end - 1]


def view_of(text: str) -> View:
    if text.isascii():
        lowered = text.lower()
        return View(lowered, list(range(len(text))), list(range(1, len(text) + 1)))
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0

    def plain(upto: int) -> None:
        pieces.append(text[done:upto].lower())
        starts.extend(range(done, upto))
        ends.extend(range(done + 1, upto + 1))

    for match in _NON_ASCII.finditer(text):
        plain(match.start())
        folded = _fold_piece(match.group())
        pieces.append(folded)
        if len(folded) == len(match.group()):
            starts.extend(range(match.start(), match.end()))
            ends.extend(range(match.start() + 1, match.end() + 1))
        else:  # characters merged or split: a match inside maps to the whole run
            starts.extend([match.start()] * len(folded))
            ends.extend([match.end()] * len(folded))
        done = match.end()
    plain(len(text))
    return View("".join(pieces), starts, ends)
