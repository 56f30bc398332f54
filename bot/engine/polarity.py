"""Whether a typed reply says yes or no, read on the words :func:`bot.text.normalize_words`
gives (teen-code expanded: "ko", "k", "kh", "hok", "hông", "hổng", "khum" are already
"khong"; diacritics folded: "chưa" is "chua").

A reply is negative when it carries an odd number of negations: a negator ("không", "chưa",
"chẳng", "chả", "đéo"), "sai" (= "không đúng"), or a phrase that denies ("đâu có", "làm gì
có", "có đâu", "không phải"). "Không sai" and "không có gì sai" are therefore positive. The
folded forms that are also other words ("hong" is "hỏng", "cha" is "cha", "chang" is
"chàng") count only before a verb. A reply ending in "không?" or "chưa?" after other words
is a question ("có cần mang thẻ không"), not an answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.text import fold, normalize_words

NEGATORS = frozenset({"khong", "chua", "deo", "hem", "khum"})
# Folded forms that are negators only before a verb ("hong co", "cha biet", "chang thay").
_BEFORE_VERB = frozenset({"hong", "cha", "chang", "chu"})
VERBS = frozenset({"co", "duoc", "biet", "thay", "nhan", "hieu", "vao", "lam", "doc", "phai",
                   "dung", "con", "can", "muon", "dua", "goi", "mo", "ra", "len", "hien", "cai",
                   "tai", "quet", "nghe", "tim", "chay", "dang", "sai", "khop", "giong", "ai",
                   "bam", "gui", "nho", "xong", "thi", "ro", "chiu", "ve", "toi", "den", "hoat",
                   "chuyen", "khoa"})
_DENIALS = (("dau", "co"), ("lam", "gi", "co"), ("lam", "sao", "co"), ("co", "dau"))
# "Vẫn chưa", "mà chưa", "cũng không": the negator ends a statement, not a question.
_STATEMENT_BEFORE = frozenset({"van", "ma", "cung", "da", "thi", "nhung", "con",
                               "la", "hoan", "toan", "hoan toan"})
QUESTION_TAILS = frozenset({"khong", "chua", "hong", "ko"})


# Typed with diacritics, these fold to a negator but are other words ("chữa bệnh", "hỏng").
_SPELLED = frozenset({"không", "chưa", "chẳng", "chả", "hông", "hổng", "đéo", "sai", "khum",
                      "hem"})
_LOOK_ALIKE = NEGATORS | _BEFORE_VERB | {"sai"}


def polar_words(text: str) -> list[str]:
    """:func:`normalize_words`, with the words that only look like negators once folded
    ("chữa", "hỏng", "chà") replaced by "_": what the polarity functions read."""
    out: list[str] = []
    for token in re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()):
        folded = fold(token)
        if folded in _LOOK_ALIKE and token != folded and token not in _SPELLED:
            out.append("_")
        else:
            out.extend(normalize_words(token))
    return out


def _negator_at(words: Sequence[str], i: int) -> bool:
    word = words[i]
    if word in NEGATORS:
        return True
    if word in _BEFORE_VERB:
        after = words[i + 1] if i + 1 < len(words) else ""
        return after in VERBS
    return False


def negations(words: Sequence[str]) -> int:
    """How many times the words deny something."""
    count = sum(1 for i in range(len(words)) if _negator_at(words, i))
    count += sum(1 for w in words if w == "sai")
    joined = f" {' '.join(words)} "
    for phrase in _DENIALS:
        if f" {' '.join(phrase)} " in joined:
            count += 1
    return count


def is_negative(words: Sequence[str]) -> bool:
    return negations(words) % 2 == 1


def is_question(words: Sequence[str]) -> bool:
    """"Có cần mang thẻ không", "chiều nay có bão không", "ăn cơm chưa": a question."""
    if len(words) < 2 or words[-1] not in QUESTION_TAILS:
        return False
    before = words[-2]
    return not (_negator_at(words, len(words) - 2) or before in _STATEMENT_BEFORE)
