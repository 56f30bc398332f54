"""What a resident's typed reply means at the step they are on.

Inside a guide most messages answer the step: a button's words ("may ko co nfc"), a short
"done" ("rồi", "ok", "tiếp đi"), or "it did not work" ("chưa được", "ko hiểu"). They are read
here, after the same normalisation the NLU uses (teen-code expanded, diacritics folded),
before any intent recognition, so they never open another guide or a hand-off by accident.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine import payloads
from bot.engine.catalog import CompiledFlow
from bot.flowspec.model import Action
from bot.text import normalize_words

# Words that do not change which button is meant ("xong rồi ạ", "android nhé").
FILLERS = frozenset({"a", "nhe", "nha", "nhen", "oi", "chau", "bac", "con", "em", "toi",
                     "minh", "thi", "cua", "ah", "nhi", "ha", "vay", "ma", "voi", "day",
                     "de", "dung", "chon", "cai", "la", "bam", "roi", "da", "vang", "ok"})
# "Done", "yes", "go on": a reply made only of these words moves forward.
ACK_WORDS = frozenset({"roi", "duoc", "ok", "oke", "okay", "okie", "oki", "okela", "vang",
                       "da", "tiep", "theo", "di", "thay", "next", "xong", "lam", "co", "u",
                       "um", "uh", "uk", "ukm", "ung", "yes", "done", "nhe", "nha", "a", "oi",
                       "chau", "bac", "xuoi", "luon", "hieu", "biet", "het", "cai", "tim",
                       "nhan", "mo", "ra", "vao", "tot", "on", "lun", "dung"})
_ACK_CORE = frozenset({"roi", "duoc", "ok", "oke", "okay", "okie", "oki", "okela", "vang", "da",
                       "tiep", "next", "xong", "co", "u", "um", "uh", "uk", "ukm", "ung", "yes",
                       "done", "thay", "hieu"})
NEGATORS = frozenset({"khong", "chua", "chang", "cha", "hong", "hok", "deo"})
# What a negated word may be about ("không được", "chưa thấy", "ko hiểu", "không đọc được").
_TROUBLE_OBJECTS = frozenset({"duoc", "thay", "hieu", "biet", "co", "doc", "nhan", "vao", "mo",
                              "ra", "hien", "lam", "quet", "nghe", "tim", "cai", "tai", "chay",
                              "len", "an", "bam", "xong", "dang", "nhap", "gui", "ket",
                              "chup", "ap", "lay", "dung"})
_TROUBLE_WORDS = frozenset({"loi", "that bai", "kho qua", "chiu", "bo tay", "treo", "ket",
                            "bi ket", "sai", "van vay", "khong on", "hu", "tit", "met qua",
                            "roi qua", "kho"})
# Words too common to tell buttons apart.
_GENERIC = frozenset({"khong", "chua", "duoc", "co", "toi", "may", "dien", "thoai", "bi",
                      "da", "roi", "van", "nua", "muon", "can", "nao", "gi", "den", "cho",
                      "va", "hoac", "mot", "cac", "nguoi", "bac", "lam", "xem", "cach", "o",
                      "trong", "tren", "ve", "voi", "qua", "the", "hay"})
_YES = frozenset({"co", "roi", "co roi", "da co", "da", "vang", "u", "dung", "dung roi", "phai",
                  "vang a", "da roi", "co a", "roi a"})
_NO = frozenset({"chua", "khong", "chua co", "khong co", "chua a", "khong a", "khong phai",
                 "chua nhan", "chua xong"})
# Typed words for a button's stored `value` ("dien thoai oppo" -> the Android button).
VALUE_WORDS: dict[str, frozenset[str]] = {
    "android": frozenset({"android", "samsung", "oppo", "xiaomi", "vivo", "realme", "redmi",
                          "nokia", "huawei", "vsmart", "sony", "asus", "tecno", "masstel",
                          "ch play", "chplay", "androi", "adroid", "samsum"}),
    "iphone": frozenset({"iphone", "ip", "ios", "apple", "ipad", "ai phon", "app store",
                         "appstore", "iphon", "aiphone"}),
    "momo": frozenset({"momo"}),
    "viettel_money": frozenset({"viettel", "viettel money", "viettelpay", "viettel pay"}),
    "vnpt_money": frozenset({"vnpt", "vinaphone", "vnpt money", "vnptpay"}),
    "zalopay": frozenset({"zalopay", "zalo pay"}),
}


@dataclass(frozen=True)
class Reading:
    """``press`` a button (``payload``); ``trouble``: the step did not work (``options``: the
    step's detours); ``choose``: a "yes/done" where the step asks to choose; ``none``."""

    kind: str
    payload: str | None = None
    options: tuple[str, ...] = ()
    exact: bool = False  # the text is the whole label of the pressed button


NOTHING = Reading("none")


@dataclass(frozen=True)
class _Choice:
    payload: str
    label: str
    words: frozenset[str]
    forward: bool  # goes on along the guide (not a detour, another guide or the team)
    value: str | None = None


def _content(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w for w in words if w not in FILLERS)


def _choices(compiled: CompiledFlow, step_id: str) -> list[_Choice]:
    step = compiled.steps[step_id]
    flow_id = compiled.flow.id
    choices = []
    if compiled.default_next(step_id) is not None:
        choices.append(_Choice(payloads.done(flow_id, step_id), "xong",
                               frozenset({"xong"}), True))
    for i, button in enumerate(step.buttons):
        target = compiled.steps.get(button.next or "")
        forward = (target is not None and not target.side) or button.action is Action.end
        choices.append(_Choice(payloads.button(flow_id, step_id, i), button.label,
                               _content(normalize_words(button.label)), forward, button.value))
    return choices


def _is_ack(words: list[str]) -> bool:
    return bool(words) and all(w in ACK_WORDS for w in words) and any(
        w in _ACK_CORE for w in words) and not NEGATORS & set(words)


def is_trouble(words: list[str]) -> bool:
    """"Chưa được", "không đọc được thẻ", "ko hiểu", "máy báo lỗi"..."""
    joined = f" {' '.join(words)} "
    if any(f" {phrase} " in joined for phrase in _TROUBLE_WORDS):
        return True
    for i, word in enumerate(words):
        if word in NEGATORS and any(w in _TROUBLE_OBJECTS for w in words[i + 1:i + 5]):
            return True
    return False


def _forward(choices: list[_Choice]) -> _Choice | None:
    """The one way on from a step: its "Xong", else the one button that says "done"."""
    if choices and choices[0].payload.startswith("n:"):
        return choices[0]
    done_like = [c for c in choices if c.words and _is_ack(sorted(c.words | {"xong"}))
                 and c.forward]
    return done_like[0] if len(done_like) == 1 else None


def _distinct(words: frozenset[str]) -> frozenset[str]:
    return words - _GENERIC - NEGATORS


def _label_match(text: frozenset[str], choices: list[_Choice]) -> _Choice | None:
    """A button whose words the text repeats (all of them, or all the text's words)."""
    exact = [c for c in choices if text and c.words == text]  # the whole label, even generic
    if len(exact) == 1:
        return exact[0]
    found = [c for c in choices if c.words and text and (text <= c.words or c.words <= text)
             and _distinct(text & c.words)]
    return found[0] if len(found) == 1 else None


def _value_match(text: list[str], choices: list[_Choice]) -> _Choice | None:
    joined = f" {' '.join(text)} "
    found = [c for c in choices if c.value and any(
        f" {w} " in joined for w in VALUE_WORDS.get(c.value, frozenset({c.value})))]
    return found[0] if len(found) == 1 else None


def _yes_no(text: str, choices: list[_Choice]) -> _Choice | None:
    if text in _YES:
        starts = ("da ", "co ", "toi da ", "dung ")
    elif text in _NO:
        starts = ("chua ", "khong ", "toi chua ", "toi khong ")
    else:
        return None
    found = [c for c in choices if " ".join(normalize_words(c.label)).startswith(starts)]
    return found[0] if len(found) == 1 else None


def _partial(text: frozenset[str], choices: list[_Choice]) -> _Choice | None:
    """The one button sharing most of its telling words with the text."""
    scored = []
    for choice in choices:
        shared = _distinct(text & choice.words)
        wanted = _distinct(choice.words)
        if shared and wanted and len(shared) * 2 >= len(wanted):
            scored.append((len(shared), choice))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    top = [c for score, c in scored if score == best]
    return top[0] if len(top) == 1 else None


def read_reply(compiled: CompiledFlow, step_id: str, text: str) -> Reading:
    """What ``text`` means at ``step_id``; ``NOTHING`` when it is not about the step."""
    if step_id not in compiled.steps or compiled.steps[step_id].end is not None:
        return NOTHING
    words = normalize_words(text)
    content = _content(words)
    choices = _choices(compiled, step_id)
    if not words or not choices:
        return NOTHING
    match = _label_match(content, choices) or _yes_no(" ".join(words), choices)
    if match is not None:
        return Reading("press", match.payload, exact=match.words == content)
    if _is_ack(words):
        forward = _forward(choices)
        return Reading("press", forward.payload) if forward else Reading("choose")
    value = _value_match(words, choices)
    if value is not None:
        return Reading("press", value.payload)
    forward = _forward(choices)
    detours = tuple(c.payload for c in choices if c is not forward)
    if is_trouble(words):
        # The one detour that names this trouble: most of its words ("tên người nhận sai" ->
        # "Tên người nhận không đúng"), or a "not"-button sharing a telling word ("chưa nhận
        # được" -> "Chưa nhận tin nhắn").
        named = [c for c in choices if c is not forward and (
            len(_distinct(content & c.words)) >= 2
            or (c.words & NEGATORS and _distinct(content & c.words)))]
        if len(named) == 1:
            return Reading("press", named[0].payload)
        return Reading("trouble", options=detours)
    match = _partial(content, choices)
    return Reading("press", match.payload) if match else NOTHING
