"""Text folding: compare what residents type without case, diacritics or punctuation.

Residents often type without a Vietnamese keyboard ("cai vneid the nao"), so every comparison
of free text (commands, button labels, keywords) goes through :func:`fold`.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.components.vi_text import normalize_word

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


def normalize_words(text: str) -> list[str]:
    """The words of ``text`` the way the NLU reads them, folded: teen-code and regional words
    expanded with the NLU's own rules ("ko dc" -> "khong duoc", "r" -> "roi"), then without
    case or diacritics. Short forms that are ambiguous keep both readings ("mk" -> "mk mat
    khau")."""
    words: list[str] = []
    for word in _NON_WORD.sub(" ", unicodedata.normalize("NFC", text)).replace("_", " ").split():
        for expanded in normalize_word(word):
            words.extend(fold(expanded).split())
    return words


def normalize(text: str) -> str:
    """:func:`normalize_words` joined by single spaces."""
    return " ".join(normalize_words(text))
