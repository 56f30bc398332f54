"""``python -m bot bench safety --json``: false alarms on ordinary messages, missed scams.

Every message of the sets in ``tests/safety/`` goes through the whole conversation service
(real SQLite, the real guides) twice: as a resident's first message, and typed inside a guide
(one of :data:`GUIDES`, in turn). Ordinary messages mention OTPs, passwords, banks, the police,
links or money without any scam; an *alarm* is a turn that shows a scam warning or opens the
scam guide. Scam messages (threats, fake officials, lures, harm already done) must be
*warned*: a scam warning or the scam guide in that turn. Where harm is already done, the turn
must reach an urgent step (call the bank from another phone, lock the card, or the transfer
guide's own step for a mistaken transfer of one's own): none is a *harm miss*, another urgent
step than the one that fits is counted apart (``harm_at_another_urgent_step``).

Each set has a tuned part (the rules were adjusted while reading it) and a held-out part
(``heldout_*.tsv``, never tuned against), reported separately. Modes: ``keywords`` (the
degraded mode while Rasa trains or is down) and ``rasa`` (the real model from ``models/``,
trained first if missing); the report says how many turns the real model answered.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import Runtime, build_runtime
from bot.config import Settings
from bot.intents.base import IntentRecognizer
from bot.intents.rasa import RasaRecognizer
from bot.turn_contract import Incoming, TurnResult

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "safety"
GUIDES = ("vneid_install", "vneid_login", "payment_transfer", "payment_qr", "vssid_login",
          "vneid_level2")
SCAM_FLOW = "scam_report"
# Where each kind of harm already done must land: the urgent part of a guide.
HARM_STEPS = {
    "lost": ("scam_report", "lost_bank"),
    "otp": ("scam_report", "otp_given"),
    "link": ("scam_report", "link_urgent"),
    "mistake": ("payment_transfer", "wrong_bank"),
}
KINDS = ("ok", "warn", *HARM_STEPS)
MODES = ("keywords", "rasa")


@dataclass(frozen=True)
class Case:
    kind: str  # "ok" (ordinary), "warn" (a scam sign, no harm yet) or a key of HARM_STEPS
    text: str
    part: str  # "tuned" or "heldout"

    @property
    def scam(self) -> bool:
        return self.kind != "ok"

    @property
    def harm(self) -> tuple[str, str] | None:
        return HARM_STEPS.get(self.kind)


def _rows(path: Path) -> Iterable[tuple[str, str]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, sep, text = line.partition("\t")
        if not sep or kind not in KINDS or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected '<{'|'.join(KINDS)}>\\t<text>'")
        yield kind, text.strip()


def _plain(path: Path, kind: str) -> Iterable[tuple[str, str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield kind, line.strip()


def load_cases(folder: Path = SETS) -> list[Case]:
    """The tuned sets (the older one-per-line files and ``ordinary.tsv``/``scams.tsv``) and
    the held-out ones (``heldout_ordinary.tsv``/``heldout_scams.tsv``)."""
    cases = [Case(k, t, "tuned") for k, t in _plain(folder / "not_scam.txt", "ok")]
    cases += [Case(k, t, "tuned") for k, t in _plain(folder / "scam_messages.txt", "warn")]
    for name, part in (("ordinary.tsv", "tuned"), ("scams.tsv", "tuned"),
                       ("heldout_ordinary.tsv", "heldout"), ("heldout_scams.tsv", "heldout")):
        cases += [Case(k, t, part) for k, t in _rows(folder / name)]
    return cases


@dataclass(frozen=True)
class Outcome:
    case: Case
    where: str  # "first" or a guide id
    warned: bool
    reached: tuple[str, str] | None  # the urgent step reached, if any
    nlu_source: str | None

    @property
    def failed(self) -> bool:
        """An alarm on an ordinary message, a scam not warned, harm not at its urgent step."""
        if not self.case.scam:
            return self.warned
        if self.case.harm is not None:
            return self.reached != self.case.harm
        return not self.warned

    @property
    def harm_missed(self) -> bool:
        """Harm done, and no urgent step at all was reached."""
        return self.case.harm is not None and self.reached is None


def judge(case: Case, where: str, result: TurnResult) -> Outcome:
    """What one turn did with ``case``: warned (a scam warning, or the scam guide opened), and
    which urgent step it reached."""
    warned = any(e.kind == "scam_signal" or (e.kind == "flow_started" and e.flow_id == SCAM_FLOW)
                 for e in result.events)
    urgent = set(HARM_STEPS.values())
    reached = next(((e.flow_id, e.step_id) for e in result.events
                    if e.kind == "step_reached" and (e.flow_id, e.step_id) in urgent), None)
    source = next((str(e.data.get("source")) for e in result.events if e.kind == "intent"),
                  None)
    return Outcome(case, where, warned, reached, source)  # type: ignore[arg-type]


async def run_cases(runtime: Runtime, cases: list[Case], tag: str) -> list[Outcome]:
    """Each case as a first message, and inside a guide (the guides in turn)."""
    outcomes = []
    service = runtime.service
    for number, case in enumerate(cases):
        first = await service.handle_turn(Incoming("bench", f"{tag}-f{number}", text=case.text))
        guide = GUIDES[number % len(GUIDES)]
        user = f"{tag}-g{number}"
        await service.handle_turn(Incoming("bench", user, text=f"/start {guide}"))
        inside = await service.handle_turn(Incoming("bench", user, text=case.text))
        assert first is not None and inside is not None  # fresh users: never a redelivery
        outcomes += [judge(case, "first", first), judge(case, guide, inside)]
    return outcomes


def _rate(count: int, total: int) -> float:
    return round(100 * count / total, 2) if total else 0.0


def summarise(outcomes: list[Outcome], examples: int = 12) -> dict[str, Any]:
    """Alarms on ordinary messages, warned and missed scams, harm misses: per part and
    placement, with the failing messages (the first few)."""
    report: dict[str, Any] = {}
    for part in ("tuned", "heldout", "all"):
        mine = [o for o in outcomes if part in ("all", o.case.part)]
        ordinary = [o for o in mine if not o.case.scam]
        scams = [o for o in mine if o.case.scam]
        harm = [o for o in scams if o.case.harm is not None]
        warned = sum(o.warned or o.reached is not None for o in scams)
        row: dict[str, Any] = {
            "ordinary_turns": len(ordinary),
            "alarms": sum(o.warned for o in ordinary),
            "alarm_percent": _rate(sum(o.warned for o in ordinary), len(ordinary)),
            "scam_turns": len(scams),
            "scams_warned": warned,
            "scams_warned_percent": _rate(warned, len(scams)),
            "harm_turns": len(harm),
            "harm_missed": sum(o.harm_missed for o in harm),
            "harm_at_another_urgent_step": sum(o.failed and not o.harm_missed for o in harm),
            "by_placement": {},
        }
        for where in ("first", "inside"):
            placed = [o for o in mine if (o.where == "first") == (where == "first")]
            row["by_placement"][where] = {
                "alarms": sum(o.warned for o in placed if not o.case.scam),
                "scams_missed": sum(not (o.warned or o.reached) for o in placed if o.case.scam),
                "harm_missed": sum(o.harm_missed for o in placed)}
        report[part] = row
    failing = [o for o in outcomes if o.failed]
    report["failures"] = [{"kind": o.case.kind, "part": o.case.part, "where": o.where,
                           "text": o.case.text, "warned": o.warned,
                           "reached": "/".join(o.reached) if o.reached else None}
                          for o in failing[:examples]]
    report["failures_total"] = len(failing)
    sources = Counter(o.nlu_source for o in outcomes if o.nlu_source)
    report["nlu_sources"] = dict(sorted(sources.items()))
    return report


@asynccontextmanager
async def _rasa() -> AsyncIterator[IntentRecognizer]:
    from bench.servers import rasa_server  # only the rasa mode needs the model

    async with rasa_server() as (_, server):
        recognizer = RasaRecognizer(server.url, server.token, timeout=10.0)
        try:
            for _ in range(600):
                if await recognizer.healthy():
                    break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the Rasa server did not answer")
            yield recognizer
        finally:
            await recognizer.aclose()


async def run_mode(mode: str, cases: list[Case], folder: Path) -> list[Outcome]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder}/{mode}.db",
                        flows_dir=ROOT / "flows", nlu_mode="keywords",
                        rate_resident_per_minute=0, rate_new_residents_per_hour=0,
                        rate_handoffs_per_hour=0)
    if mode == "keywords":
        async with build_runtime(settings) as runtime:
            return await run_cases(runtime, cases, mode)
    async with _rasa() as recognizer, build_runtime(settings, recognizer=recognizer) as runtime:
        return await run_cases(runtime, cases, mode)


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    cases = load_cases()
    counts = Counter((c.part, c.kind) for c in cases)
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "messages": {part: {k: counts[(part, k)] for k in KINDS}
                     for part in ("tuned", "heldout")},
        "guides_inside": list(GUIDES), "modes": {}}
    with tempfile.TemporaryDirectory() as folder:
        for mode in args.modes:
            report["modes"][mode] = summarise(await run_mode(mode, cases, Path(folder)),
                                              args.examples)
    return report


def _bench(args: argparse.Namespace) -> int:
    unknown = set(args.modes) - set(MODES)
    if unknown:
        print(f"bench safety: unknown mode(s) {sorted(unknown)}; choose from {list(MODES)}")
        return 2
    report = asyncio.run(_run(args))
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("safety", help="false alarms and missed scams, per NLU mode")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--modes", type=lambda s: s.split(","), default=list(MODES),
                        help="keywords,rasa (default both; rasa starts the cached model)")
    parser.add_argument("--examples", type=int, default=12,
                        help="failing messages listed per mode (default 12)")
    parser.set_defaults(handler=_bench)
