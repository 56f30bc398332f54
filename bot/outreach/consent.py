"""The words a resident agrees or stops with, typed in any state (pure). Whole messages only,
read folded (no diacritics needed, common teen-code spellings accepted), so "chưa nhận được
tin nhắn" at a guide's question is never taken for either."""

from __future__ import annotations

import re
from typing import Literal

from bot.text import fold

Consent = Literal["in", "out"]

_POLITE = r"(?:\s+(?:nhe|nha|a|voi|di|nhe a|nha a|giup (?:bac|chau|toi|em)))*"
_WHO = r"(?:bac|chau|toi|em|minh|tui|con|ong|ba|co|chu)"
_NEWS = r"(?:tin(?: nhan)?|thong bao|tin tuc)(?: (?:cua|tu) (?:to|xa|phuong|thon))?"
_STOP = r"(?:dung|ngung|ngung|huy|thoi|tat|bo|khong|ko|k|kg|hok|hong|khum)"
_OUT = re.compile(
    rf"^(?:(?:xin|cho {_WHO}|{_WHO})\s+)?(?:"
    rf"{_STOP} (?:nhan|gui|dang ky nhan) {_NEWS}(?: nua)?"  # dừng nhận tin, hủy nhận tin
    rf"|(?:khong|ko|k|kg|hok|hong|khum) (?:nhan|can) (?:{_NEWS} )?nua"  # không nhận nữa
    rf"|(?:dung|ngung|huy|tat) {_NEWS}"  # tắt thông báo
    rf"|huy dang ky(?: nhan {_NEWS})?"
    rf"|unsubscribe"
    rf"){_POLITE}$")
_IN = re.compile(
    rf"^(?:(?:xin|cho {_WHO}|{_WHO}(?: muon)?|dong y)\s+)?(?:"
    # nhận tin của tổ
    rf"(?:dang ky )?nhan (?:tin|thong bao|tin tuc) (?:cua|tu) (?:to|xa|phuong|thon)"
    rf"|(?:dang ky )?nhan thong bao"  # cho bác nhận thông báo
    rf"|dang ky nhan tin(?: nhan| tuc)?"
    rf"|bat thong bao"
    rf"|subscribe"
    rf"){_POLITE}$")


def consent_word(text: str | None) -> Consent | None:
    """``"out"`` for "dừng nhận tin" and its kin, ``"in"`` for "nhận tin của tổ"; else None."""
    if not text:
        return None
    folded = " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())
    if _OUT.match(folded):
        return "out"
    if _IN.match(folded):
        return "in"
    return None
