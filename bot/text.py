"""Text folding: compare what residents type without case, diacritics or punctuation.

Residents often type without a Vietnamese keyboard ("cai vneid the nao"), so every comparison
of free text (commands, button labels, keywords) goes through :func:`fold`.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def strip_diacritics(text: str) -> str:
    """``"Đăng ký"`` -> ``"Dang ky"``. đ/Đ are letters of their own in Unicode, not marks."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation and emoji as single spaces, trimmed."""
    plain = strip_diacritics(unicodedata.normalize("NFC", text)).lower()
    return " ".join(_NON_WORD.sub(" ", plain).replace("_", " ").split())


def fold_words(text: str) -> list[str]:
    return fold(text).split()
