"""``python -m bot bench replies --json``: what the assistant makes of replies typed in a guide.

For every step of every guide the cases are generated from the flows, so a new guide is
covered the day it is written: each button's label typed the ways residents type it (with and
without diacritics, in teen-code, with "rồi / ạ / cháu ơi" tails), the affirmative of every
label that carries a negator ("Máy không có NFC" -> "máy có nfc rồi") and the negative of
every label that starts with "đã / có / vẫn / lỡ / muốn" ("Đã có VNeID" -> "chưa có vneid"),
plus replies meaning "done", "it did not work", the 🆘 label and small talk. A hand-written
part (``replies.tsv``) adds what residents were seen typing.

Each case runs through the real engine, with the keyword recognizer standing in for the NLU
when the engine asks for one (the degraded mode: the figures do not depend on Rasa), and is
scored: ``correct``; ``asked`` (the assistant asked which button, or what the screen shows,
instead of acting); ``inverted`` (it pressed the opposite of what the reply means: a "yes"
pressing the "no" button); ``wrong_other`` (anything else: another button, the step shown
again for a reply that meant a button, another guide). ``done_repeated`` counts replies that
mean "done" but were answered with the same step again.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.engine import payloads, texts
from bot.engine.catalog import Catalog, CompiledFlow
from bot.engine.engine import Engine, Turn
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.flowspec import load_flows
from bot.flowspec.model import Action, Flow
from bot.intents.keywords import KeywordRecognizer
from bot.text import fold

ROOT = Path(__file__).resolve().parents[1]
HAND_WRITTEN = Path(__file__).with_name("replies.tsv")
ASKED = frozenset({"ask", "trouble"})
NEGATORS = ("không", "chưa", "chẳng", "chả")
DONE_REPLIES = ("rồi", "xong rồi", "xong r chau", "ok", "được rồi ạ", "làm xong rồi cháu",
                "tiếp tục", "dc r", "vang a", "xong")
TROUBLE_REPLIES = ("chưa được", "ko dc chau oi", "không làm được", "khó quá", "ko hiểu")
OFF_TOPIC = ("hôm nay trời mưa to", "chieu nay co bao ko chau", "cháu ăn cơm chưa")
STUCK_REPLIES = ("Tôi bị kẹt", "toi bi ket")
TAILS = ("", " ạ", " rồi", " cháu ơi")
_TEEN = {"không": "ko", "khong": "k", "được": "dc", "duoc": "dc", "rồi": "r", "roi": "r"}
_BRACKETS = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Case:
    """A reply typed at a step; ``expect``: the outcome that is right ("done", "b<n>" for the
    n-th authored button, "ask", "trouble", "hint", "handoff"); ``accept``: other right ones;
    ``inverted``: buttons whose press is the opposite of the meaning."""

    flow_id: str
    step_id: str
    text: str
    kind: str
    expect: str
    accept: frozenset[str] = frozenset()
    inverted: frozenset[str] = frozenset()


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    done_repeated: int = 0

    def row(self) -> dict[str, Any]:
        total = sum(self.counts.values())
        return {"total": total, **{k: self.counts[k] for k in
                                   ("correct", "asked", "inverted", "wrong_other")},
                "correct_percent": round(100 * self.counts["correct"] / total, 1) if total
                else 0.0, "done_repeated": self.done_repeated}


# ------------------------------------------------------------------ generating the cases
def _words(label: str) -> str:
    """A label as typed: no emoji, quotes or brackets, lower case."""
    plain = _BRACKETS.sub("", label).replace('"', " ").replace("«", " ").replace("»", " ")
    kept = re.sub(r"[^\w\s,/]", " ", plain, flags=re.UNICODE)
    return " ".join(kept.lower().replace("/", " ").replace(",", " ").split())


def _teen(text: str) -> str:
    return " ".join(_TEEN.get(w, w) for w in fold(text).split())


def variants(text: str) -> list[str]:
    """One meaning typed the ways residents type it."""
    base = _words(text)
    forms = [base, fold(base), _teen(base)]
    out = [f"{form}{tail}" for form in forms for tail in TAILS
           if not (tail.strip() and form.endswith(("rồi", "roi", " r")) and "r" in tail)]
    return list(dict.fromkeys(out))[:8]


def _is_negative(label: str) -> bool:
    words = _words(label).split()
    return any(w in NEGATORS for w in words) or "sai" in words


def affirmative(label: str) -> str:
    """The label with its negation undone: "Máy không có NFC" -> "máy có nfc rồi"."""
    words = _words(label).split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word == "chưa":
            out.append("đã")
        elif word in NEGATORS or word in ("vẫn", "nữa") or (
                word == "bị" and "sai" in words[i:i + 2]):
            continue
        else:
            out.append("đúng" if word == "sai" else word)
    return " ".join(out) + " rồi"


_HEADS = {"đã": "chưa", "có": "không có", "vẫn": "không", "lỡ": "chưa", "muốn": "không muốn"}


def negative(label: str) -> str | None:
    """"Đã có VNeID" -> "chưa có vneid"; None for labels that cannot be negated as typed."""
    words = _words(label).split()
    start = 1 if words[:1] == ["tôi"] else 0
    if len(words) <= start or words[start] not in _HEADS:
        return None
    return " ".join([*words[:start], _HEADS[words[start]], *words[start + 1:]])


def _core(label: str) -> frozenset[str]:
    skip = {*map(fold, NEGATORS), "da", "co", "roi", "van", "nua", "toi", "bi", "sai", "dung",
            "lo"}
    return frozenset(w for w in fold(_words(label)).split() if w not in skip)


def _opposites(labels: list[str], index: int) -> frozenset[str]:
    """Buttons saying the same thing the other way round ("Đã có mức 2" / "Chưa có mức 2")."""
    mine, negated = _core(labels[index]), _is_negative(labels[index])
    return frozenset(f"b{i}" for i, other in enumerate(labels) if i != index and mine
                     and _is_negative(other) != negated
                     and (_core(other) <= mine or mine <= _core(other)))


def step_cases(compiled: CompiledFlow, step_id: str) -> Iterator[Case]:
    step = compiled.steps[step_id]
    flow_id = compiled.flow.id
    labels = [b.label for b in step.buttons]
    has_done = compiled.default_next(step_id) is not None
    negatives = frozenset(f"b{i}" for i, label in enumerate(labels) if _is_negative(label))
    for i, label in enumerate(labels):
        opposite = _opposites(labels, i)
        for text in variants(label):
            yield Case(flow_id, step_id, text, "button", f"b{i}", inverted=opposite)
        if _is_negative(label):
            meant = min(opposite) if opposite else ("done" if has_done else "ask")
            for text in variants(affirmative(label))[:4]:
                yield Case(flow_id, step_id, text, "affirmative", meant,
                           inverted=frozenset({f"b{i}"}))
            continue
        negated = negative(label)
        if negated is not None:
            meant = min(opposite) if opposite else "ask"
            accept = frozenset({"done"}) if has_done and not opposite else frozenset()
            for text in variants(negated)[:4]:
                yield Case(flow_id, step_id, text, "negative", meant, accept,
                           frozenset({f"b{i}"}))
    # Where the step asks to choose, "rồi" may press its one "Đã… / Có…" button.
    yes = frozenset(f"b{i}" for i, label in enumerate(labels) if not _is_negative(label)
                    and [w for w in _words(label).split() if w != "tôi"][:1] in (["đã"], ["có"]))
    yes = yes if negatives else frozenset()
    for text in DONE_REPLIES:
        yield Case(flow_id, step_id, text, "done", "done" if has_done else "ask",
                   accept=frozenset() if has_done or len(yes) != 1 else yes,
                   inverted=negatives)
    for text in TROUBLE_REPLIES:
        yield Case(flow_id, step_id, text, "trouble", "trouble", accept=negatives,
                   inverted=frozenset({"done"}))
    to_team = frozenset(f"b{i}" for i, b in enumerate(step.buttons)
                        if b.action is Action.handoff)
    for text in STUCK_REPLIES:
        yield Case(flow_id, step_id, text, "stuck", "handoff", accept=to_team)
    for text in OFF_TOPIC:
        yield Case(flow_id, step_id, text, "off_topic", "hint")


def generated(catalog: Catalog) -> Iterator[Case]:
    for compiled in catalog.flows.values():
        for step in compiled.flow.steps:
            if step.end is None:
                yield from step_cases(compiled, step.id)


def hand_written(path: Path = HAND_WRITTEN) -> list[Case]:
    """flow, step, text, expect, inverted (comma-separated), one case a line."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t")
    return [Case(r["flow"], r["step"], r["text"], "hand_written", r["expect"],
                 inverted=frozenset(x for x in (r.get("inverted") or "").split(",") if x))
            for r in rows]


# ------------------------------------------------------------------ running and scoring
class Judge:
    """Runs cases through the engine and names what happened."""

    def __init__(self, flows: list[Flow]) -> None:
        self.engine = Engine(Catalog(flows))
        self.keywords = KeywordRecognizer(flows)
        self._presses: dict[tuple[str, str], dict[tuple[Any, ...], set[str]]] = {}

    def state_at(self, flow_id: str, step_id: str) -> SessionState:
        compiled = self.engine.catalog.flows[flow_id]
        return SessionState().at(flow_id, step_id, compiled.way_to(step_id))

    def turn(self, state: SessionState, text: str) -> Turn:
        inbound = Inbound(text=text)
        if self.engine.needs_intent(state, inbound):
            inbound = Inbound(text=text, intent=self.keywords.recognize_now(text))
        return self.engine.step(state, inbound)

    @staticmethod
    def _signature(turn: Turn) -> tuple[Any, ...]:
        state = turn.state
        return (state.flow_id, state.step_id, state.paused,
                any(e.kind == "handoff_requested" for e in turn.events),
                tuple(e.kind for e in turn.events if e.kind.startswith("flow_")))

    def _press_map(self, flow_id: str, step_id: str) -> dict[tuple[Any, ...], set[str]]:
        key = (flow_id, step_id)
        if key not in self._presses:
            state = self.state_at(flow_id, step_id)
            step = self.engine.catalog.flows[flow_id].steps[step_id]
            found: dict[tuple[Any, ...], set[str]] = {}
            names = [("done", payloads.done(flow_id, step_id))]
            names += [(f"b{i}", payloads.button(flow_id, step_id, i))
                      for i in range(len(step.buttons))]
            for name, payload in names:
                turn = self.engine.step(state, Inbound(payload=payload))
                if turn.state != state or any(e.kind == "handoff_requested"
                                              for e in turn.events):
                    found.setdefault(self._signature(turn), set()).add(name)
            self._presses[key] = found
        return self._presses[key]

    def outcome(self, case: Case) -> set[str]:
        """What the typed reply did: the buttons it pressed, or one word for the rest."""
        state = self.state_at(case.flow_id, case.step_id)
        turn = self.turn(state, case.text)
        if any(e.kind.startswith("data_") for e in turn.events):
            return {"data"}
        if turn.state != state or any(e.kind == "handoff_requested" for e in turn.events):
            pressed = self._press_map(case.flow_id, case.step_id).get(self._signature(turn))
            if pressed:
                return pressed
        if any(e.kind == "scam_signal" for e in turn.events):
            return {"scam"}
        if any(e.kind == "handoff_requested" for e in turn.events):
            return {"handoff"}
        said = _said(turn)
        step = self.engine.catalog.flows[case.flow_id].steps[case.step_id]
        if said == "other" and turn.state == state and any(
                step.text[:30] in r.text for r in turn.replies):
            return {"step_again"}
        return {said}

    def score(self, case: Case) -> tuple[str, set[str]]:
        got = self.outcome(case)
        if case.expect in got or got & case.accept:
            return "correct", got
        if got & case.inverted:
            return "inverted", got
        if got & ASKED:
            return "asked", got
        return "wrong_other", got


def _said(turn: Turn) -> str:
    shown = [r.text for r in turn.replies if r.text != texts.SAFETY_WARNING]
    first = shown[0] if shown else ""
    if first.startswith(texts.ASK_WHICH[:9]) or first == texts.CHOOSE:
        return "ask"
    if first in (texts.TROUBLE_ASK, texts.TROUBLE_ASK_PLAIN) or first.startswith(
            texts.TROUBLE_TEAM[:20]):
        return "trouble"
    if first == texts.FORGET_CONFIRM:
        return "data"
    if first.startswith(texts.SWITCH_OFFER[:20]):
        return "switch"
    if first.startswith(texts.HANDOFF_OFFER[:17]):
        return "handoff_offer"
    if first.startswith(texts.IN_FLOW_HINT[:20]):
        return "hint"
    return "other"


def run(flows: list[Flow], cases: list[Case]) -> dict[str, Any]:
    """The figures: overall, per guide and per kind of case, and the failures."""
    judge = Judge(flows)
    overall, by_flow, by_kind = Tally(), dict[str, Tally](), dict[str, Tally]()
    failures: list[dict[str, Any]] = []
    for case in cases:
        verdict, got = judge.score(case)
        repeated = case.kind == "done" and case.expect == "done" and bool(
            got & {"hint", "ask", "step_again"})
        for tally in (overall, by_flow.setdefault(case.flow_id, Tally()),
                      by_kind.setdefault(case.kind, Tally())):
            tally.counts[verdict] += 1
            tally.done_repeated += bool(repeated)
        if verdict in ("inverted", "wrong_other"):
            failures.append({"flow": case.flow_id, "step": case.step_id, "text": case.text,
                             "kind": case.kind, "expected": case.expect,
                             "got": sorted(got), "verdict": verdict})
    return {**overall.row(), "per_guide": {k: v.row() for k, v in sorted(by_flow.items())},
            "per_kind": {k: v.row() for k, v in sorted(by_kind.items())},
            "failures": failures}


def shipped_flows() -> list[Flow]:
    loaded, problems = load_flows([ROOT / "flows"])
    if problems:
        raise SystemExit(f"the guides do not load: {problems}")
    return [item.flow for item in loaded]


def all_cases(flows: list[Flow]) -> list[Case]:
    return [*generated(Catalog(flows)), *hand_written()]


def _bench_replies(args: argparse.Namespace) -> int:
    flows = shipped_flows()
    report = run(flows, all_cases(flows))
    report = {"benchmark": "replies", "date": dt.date.today().isoformat(),
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "nlu": "keywords",
              **report}
    if not args.failures:
        report["failures"] = report["failures"][:20]
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("replies", help="what typed replies inside guides are read as")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--failures", action="store_true", help="list every failure")
    parser.set_defaults(handler=_bench_replies)
