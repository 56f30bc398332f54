"""What a resident's typed reply means at the step they are on. Pure, no I/O.

Inside a guide most messages answer the step: a button's words ("may ko co nfc"), a short
"done" ("rồi", "gọi rồi", "tiếp tục"), "it did not work" ("chưa được", "ko hiểu"), or the
opposite of a button ("máy có NFC rồi" where the button says "Máy không có NFC"). They are
read here, after the same normalisation the NLU uses (teen-code expanded, diacritics folded),
before any intent recognition, so they never open another guide or a hand-off by accident.

Polarity (:mod:`bot.engine.polarity`) is part of the meaning: a reply never presses a button
whose words it repeats with the opposite polarity. "Đúng tên rồi" at "Tên người nhận không
đúng" goes on with the guide; "có mức 2 rồi" presses "Đã có mức 2", not "Chưa có mức 2". When
the evidence is weak or split between buttons the reading is ``ask`` (which one?), never a
guess: a wrong press is worse than a question.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine import payloads, texts
from bot.engine.catalog import CompiledFlow
from bot.engine.polarity import (
    NEGATORS,
    VERBS,
    is_negative,
    is_question,
    negations,
    polar_words,
)
from bot.flowspec.model import Action
from bot.text import fold_words, normalize_words

# Words that do not change which button is meant ("xong rồi ạ", "android nhé").
FILLERS = frozenset({"a", "nhe", "nha", "nhen", "oi", "chau", "bac", "con", "em", "toi",
                     "minh", "thi", "cua", "ah", "nhi", "ha", "vay", "voi", "day",
                     "de", "chon", "la", "bam", "vang", "ok", "nay", "ne", "ca", "het",
                     "luon", "lun", "that", "qua"})
# Fillers whose folded form is a telling word too ("mà" / "mã", "cái" / "cài"): dropped only
# when typed with their diacritics; folded, they are read as the telling word.
_SPELLED_FILLERS = re.compile(r"(?<!\w)(?:mà|cái)(?!\w)")
# Words that carry polarity or tense, not which button: "đã / chưa có", "vẫn không được".
_POLARITY = NEGATORS | {"da", "co", "roi", "van", "nua", "duoc", "bi", "sai", "hong", "cha",
                        "chang", "r", "dc"}
# "Done", "yes", "go on": a reply made only of these words (and words of the step) moves on.
ACK_WORDS = frozenset({"roi", "duoc", "ok", "oke", "okay", "okie", "oki", "okela", "vang",
                       "da", "tiep", "theo", "di", "thay", "next", "xong", "lam", "co", "u",
                       "um", "uh", "uk", "ukm", "ung", "yes", "done", "nhe", "nha", "a", "oi",
                       "chau", "bac", "xuoi", "luon", "hieu", "biet", "het", "cai", "tim",
                       "nhan", "mo", "ra", "vao", "tot", "on", "lun", "dung", "tuc", "phai",
                       "chuan", "that", "nhu", "the", "ca", "la", "con", "toi", "em", "minh"})
_ACK_CORE = frozenset({"roi", "duoc", "ok", "oke", "okay", "okie", "oki", "okela", "vang", "da",
                       "tiep", "next", "xong", "co", "u", "um", "uh", "uk", "ukm", "ung", "yes",
                       "done", "thay", "hieu", "dung", "phai"})
# What a denied word may be about ("không được", "chưa thấy", "ko hiểu", "không đọc được").
_TROUBLE_WORDS = frozenset({"loi", "that bai", "kho qua", "chiu", "bo tay", "treo", "ket",
                            "van vay", "khong on", "hu", "tit", "met qua", "roi qua", "kho"})
# Words too common to tell buttons apart: they count half.
_GENERIC = frozenset({"toi", "may", "dien", "thoai", "muon", "can", "nao", "gi", "den", "cho",
                      "va", "hoac", "mot", "cac", "nguoi", "lam", "xem", "cach", "o", "trong",
                      "tren", "ve", "voi", "the", "hay", "lo", "khac", "lai"})
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
# The 🆘 button's words typed ("tôi bị kẹt", "toi bi ket roi", "gặp người hỗ trợ").
_HANDOFF_LABELS = frozenset({"bi ket", "gap nguoi ho tro", "toi bi ket"})
# Words that say something differs or is wrong without a negator ("tên khác", "lệch").
_DOUBT = frozenset({"khac", "lech", "nham", "thieu", "loi", "hong"})
# The yes of a yes/no question ("Bác đã nhận tin nhắn chưa?"); "ok" is not one.
_YES = frozenset({"co", "roi", "da", "dung", "phai", "vang", "u", "um", "uh"})
STRONG = 0.5  # a button whose telling words the reply covers at least this much


@dataclass(frozen=True)
class Reading:
    """``press`` a button (``payload``); ``handoff``: the 🆘 button's words; ``ask``: which of
    ``options`` (two or three buttons) is meant; ``trouble``: the step did not work
    (``options``: the step's detours); ``choose``: a "yes/done" where the step asks to
    choose; ``none``: not about the step (the intent recognizer decides)."""

    kind: str
    payload: str | None = None
    options: tuple[str, ...] = ()
    exact: bool = False  # the text is the whole label of the pressed button


NOTHING = Reading("none")


@dataclass(frozen=True)
class _Choice:
    payload: str
    words: frozenset[str]  # the label's telling words, without fillers or polarity
    whole: tuple[str, ...]  # the label's words without fillers, as typed
    negative: bool
    forward: bool  # goes on along the guide (not a detour, another guide or the team)
    value: str | None = None


@dataclass(frozen=True)
class _Score:
    choice: _Choice
    shared: float  # weight of the telling words the reply and the label share
    of_label: float  # ... as a part of the label's telling words
    of_text: float  # ... as a part of the reply's telling words

    @property
    def strong(self) -> bool:
        telling = any(w not in _GENERIC for w in self.choice.words)
        return self.of_label >= STRONG or (self.of_text >= 0.99 and telling)


def _normalized(text: str) -> list[str]:
    return normalize_words(_SPELLED_FILLERS.sub(" ", text.lower()))


def _weight(words: Iterable[str]) -> float:
    return sum(0.5 if w in _GENERIC else 1.0 for w in words)


def _telling(words: list[str]) -> frozenset[str]:
    found = {w for w in words if w not in FILLERS and w not in _POLARITY}
    if "sai" in words:  # "sai" is "không đúng": it shares "đúng" with "Tên … không đúng"
        found.add("dung")
    return frozenset(found)


def _compounds(words: list[str]) -> list[str]:
    """Words typed apart that labels write as one ("pass code" -> "passcode")."""
    return [a + b for a, b in itertools.pairwise(words) if len(a + b) >= 6]


def _choices(compiled: CompiledFlow, step_id: str) -> list[_Choice]:
    step = compiled.steps[step_id]
    flow_id = compiled.flow.id
    choices = []
    if compiled.default_next(step_id) is not None:
        choices.append(_Choice(payloads.done(flow_id, step_id), frozenset({"xong"}), ("xong",),
                               False, True))
    for i, button in enumerate(step.buttons):
        target = compiled.steps.get(button.next or "")
        forward = (target is not None and not target.side) or button.action is Action.end
        words = _normalized(button.label)
        choices.append(_Choice(payloads.button(flow_id, step_id, i), _telling(words),
                               tuple(w for w in words if w not in FILLERS),
                               is_negative(polar_words(button.label)), forward, button.value))
    return choices


def _is_ack(words: list[str], around: frozenset[str]) -> bool:
    """"Rồi", "ok", "đúng là con bác", "gọi rồi" (the step said to call)."""
    return (bool(words) and any(w in _ACK_CORE for w in words) and not is_negative(words)
            and all(w in ACK_WORDS or w in FILLERS or w in around for w in words))


def is_trouble(words: list[str]) -> bool:
    """"Chưa được", "không đọc được thẻ", "ko hiểu", "máy báo lỗi"..."""
    joined = f" {' '.join(words)} "
    if any(f" {phrase} " in joined for phrase in _TROUBLE_WORDS):
        return True
    return is_negative(words) and any(w in VERBS for w in words)


def _forward(choices: list[_Choice]) -> _Choice | None:
    """The one way on from a step: its "Xong", else the one forward button that says yes."""
    if choices and choices[0].payload.startswith("n:"):
        return choices[0]
    # A yes/no question ("Đã có VNeID" / "Chưa có VNeID"): "rồi" is its one "đã/có" button.
    yes = [c for c in choices if c.forward and not c.negative and c.whole[:1] in (("da",),
                                                                                 ("co",))]
    return yes[0] if len(yes) == 1 and any(c.negative for c in choices) else None


def _scores(text: frozenset[str], choices: list[_Choice]) -> list[_Score]:
    found = []
    text_weight = _weight(text)
    digits = {w for w in text if w.isdigit()}
    for choice in choices:
        shared = text & choice.words
        numbers = {w for w in choice.words if w.isdigit()}
        if digits and numbers and not digits & numbers:
            continue  # "mới mức 1" is not "Đã có mức 2"
        if shared and any(w not in _GENERIC for w in shared):
            weight = _weight(shared)
            found.append(_Score(choice, weight, weight / _weight(choice.words),
                                weight / text_weight if text_weight else 0.0))
    return sorted(found, key=lambda s: (s.shared, s.of_label), reverse=True)


def _best(scores: list[_Score]) -> list[_Score]:
    """The top scorers (more than one when they tie)."""
    if not scores:
        return []
    top = (scores[0].shared, scores[0].of_label)
    return [s for s in scores if (s.shared, s.of_label) == top]


def _value_match(words: list[str], choices: list[_Choice]) -> _Choice | None:
    joined = f" {' '.join(words)} "
    found = [c for c in choices if c.value and any(
        f" {w} " in joined for w in VALUE_WORDS.get(c.value, frozenset({c.value})))]
    return found[0] if len(found) == 1 else None


def _ask(choices: Iterable[_Choice]) -> Reading:
    options = tuple(c.payload for c in choices)[:3]
    return Reading("ask", options=options) if options else Reading("choose")


def _denied(opposed: _Score, choices: list[_Choice], words: list[str]) -> Reading:
    """The reply says the opposite of one button ("máy có NFC rồi" at "Máy không có NFC")."""
    denied = opposed.choice
    forward = _forward(choices)
    # "Khớp rồi", "đúng tên rồi", "thấy r": said as a yes, with nothing that doubts it
    # ("số tiền khác giấy báo" shares the words of "Không khớp…" but is no yes).
    affirmed = (bool(set(words) & _ACK_CORE) or negations(words) >= 2) and not (
        set(words) & _DOUBT)
    if (denied.negative and affirmed and forward is not None
            and forward.payload.startswith("n:")):
        return Reading("press", forward.payload)  # "not the problem": the guide goes on
    if denied is forward or (is_trouble(words) and not denied.negative):
        return Reading("trouble", options=tuple(c.payload for c in choices if c is not forward))
    if denied.negative and not affirmed:  # unsure which way: that button among the others
        return _ask([denied, *(c for c in choices if c is not denied)])
    return _ask(c for c in choices if c is not denied)


def _bare_answer(negative: bool, choices: list[_Choice], words: list[str]) -> Reading:
    """"Có", "rồi", "chưa", "không": yes or no with nothing else."""
    forward = _forward(choices)
    done = forward is not None and forward.payload.startswith("n:")
    if not negative:
        if forward is not None and (done or set(words) & _YES):
            return Reading("press", forward.payload)
        return Reading("choose")
    if done:
        return Reading("trouble", options=tuple(c.payload for c in choices[1:]))
    noes = [c for c in choices if c.negative]
    first = [c for c in noes if c.whole[:1] in (("chua",), ("khong",))]
    for found in (noes, first):
        if len(found) == 1:
            return Reading("press", found[0].payload)
    return _ask(noes or choices)


def read_reply(compiled: CompiledFlow, step_id: str, text: str) -> Reading:
    """What ``text`` means at ``step_id``; ``NOTHING`` when it is not about the step."""
    if step_id not in compiled.steps or compiled.steps[step_id].end is not None:
        return NOTHING
    words = _normalized(text)
    kept = [w for w in words if w not in FILLERS]
    if " ".join(w for w in kept if w != "roi") in _HANDOFF_LABELS:
        return Reading("handoff")
    choices = _choices(compiled, step_id)
    if not words or not choices or is_question(kept):
        return NOTHING
    whole = tuple(w for w in kept if w != "roi")  # "Tôi nghi bị lừa rồi" is the label
    exact = [c for c in choices if whole and tuple(w for w in c.whole if w != "roi") == whole]
    if len(exact) == 1:
        return Reading("press", exact[0].payload, exact=True)
    negative = is_negative(polar_words(text))
    labelled = frozenset().union(*(c.words for c in choices))
    telling = _telling(words) | frozenset(w for w in _compounds(fold_words(text))
                                          if w in labelled)
    scores = _scores(telling, choices)
    same = [s for s in scores if s.choice.negative == negative and s.strong]
    best = _best(same)
    if len(best) == 1:
        # Another button sharing as much (though less of its own words) splits the evidence.
        rivals = [s for s in scores if s.choice.negative == negative and s is not best[0]
                  and s.shared >= best[0].shared and best[0].of_label < 1]
        if rivals:
            return _ask(s.choice for s in (best[0], *rivals))
        return Reading("press", best[0].choice.payload)
    if best:
        return _ask(s.choice for s in best)
    value = _value_match(words, choices)
    if value is not None:
        return Reading("press", value.payload)
    opposed = [s for s in scores if s.choice.negative != negative and s.strong]
    if opposed:
        return _denied(opposed[0], choices, words)
    step = compiled.steps[step_id]
    around = frozenset(fold_words(step.text))
    if not telling - ACK_WORDS - around or not kept:
        if _is_ack(words, around) or (not negative and not telling and any(
                w in _ACK_CORE for w in words)):
            return _bare_answer(False, choices, words)
        if negative and not (telling - ACK_WORDS - VERBS):
            return _bare_answer(True, choices, words)
    if is_trouble(words):
        return Reading("trouble", options=tuple(c.payload for c in choices
                                                if c is not _forward(choices)))
    # Short replies half made of one button's words: ask, rather than guess or drop them.
    weak = [s for s in scores if s.choice.negative == negative and s.of_text >= 0.5]
    if weak and len(telling) <= 4:
        return _ask(s.choice for s in weak) if len(weak) > 1 else Reading(
            "ask", options=(weak[0].choice.payload,))
    return NOTHING


def ask_text(labels: list[str]) -> str:
    """"Ý bác là «A» hay «B» ạ?" for two or three labels."""
    quoted = [f"«{label}»" for label in labels]
    options = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} hay {quoted[-1]}"
    return texts.ASK_WHICH.format(options=options)
