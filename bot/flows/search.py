"""Full-text search across every guide's texts, without case or diacritics.

"ch play" finds "CH Play", "mat khau" finds "mật khẩu". The guides are a few hundred steps, so
this scans them in memory rather than keeping a database index for two dialects.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.text import strip_diacritics

SNIPPET = 60


def _fold_chars(text: str) -> str:
    """Fold each character on its own, so positions in the result are positions in ``text``."""
    return "".join((strip_diacritics(ch).lower() or " ")[:1] for ch in text)


@dataclass(frozen=True)
class Hit:
    flow_id: str
    title: str
    step_id: str | None  # None: the guide's title, summary or keywords
    where: str  # "text", "button", "title"...
    before: str
    match: str
    after: str


def _find(text: str, words: list[str]) -> tuple[int, int] | None:
    folded = _fold_chars(text)
    spans = []
    for word in words:
        at = folded.find(word)
        if at < 0:
            return None
        spans.append((at, at + len(word)))
    phrase = folded.find(" ".join(words))
    if phrase >= 0:
        return phrase, phrase + len(" ".join(words))
    return min(spans)


def _hit(flow_id: str, title: str, step_id: str | None, where: str, text: str,
         span: tuple[int, int]) -> Hit:
    start, end = span
    before = text[max(0, start - SNIPPET):start]
    after = text[end:end + SNIPPET]
    return Hit(flow_id, title, step_id, where, ("…" if start > SNIPPET else "") + before,
               text[start:end], after + ("…" if end + SNIPPET < len(text) else ""))


def _fields(document: dict[str, Any]) -> Iterable[tuple[str | None, str, str]]:
    for name in ("title", "summary"):
        yield None, name, str(document.get(name) or "")
    yield None, "keywords", ", ".join(str(k) for k in document.get("keywords") or [])
    for step in document.get("steps") or []:
        step_id = str(step.get("id"))
        yield step_id, "text", str(step.get("text") or "")
        for button in step.get("buttons") or []:
            yield step_id, "button", str(button.get("label") or "")


def search(documents: Iterable[dict[str, Any]], query: str, limit: int = 200) -> list[Hit]:
    words = _fold_chars(unicodedata.normalize("NFC", query)).split()
    if not words:
        return []
    hits: list[Hit] = []
    for document in sorted(documents, key=lambda d: str(d.get("id"))):
        flow_id, title = str(document.get("id")), str(document.get("title") or "")
        for step_id, where, text in _fields(document):
            text = unicodedata.normalize("NFC", text)
            span = _find(text, words)
            if span is not None:
                hits.append(_hit(flow_id, title, step_id, where, text, span))
                if len(hits) >= limit:
                    return hits
    return hits
