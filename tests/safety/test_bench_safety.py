"""The false-alarm benchmark (``python -m bot bench safety``) in keyword mode, through the whole
service on real SQLite: its sets are as large as the issue asks, a malformed line is refused
with its place, and the targets hold (at most 1% alarms on ordinary messages, at least 97% of
scams warned, no harm done left without its urgent step on the tuned sets; the held-out part
is reported, see docs/safety.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.safety import Case, load_cases, run_cases, summarise
from bot.app import Runtime

ROOT = Path(__file__).resolve().parents[2]


def test_the_sets_are_as_large_as_asked() -> None:
    cases = load_cases()
    ordinary = [c for c in cases if not c.scam]
    scams = [c for c in cases if c.scam]
    assert len(ordinary) >= 150 and len(scams) >= 100
    assert sum(c.harm is not None for c in scams) >= 40
    assert len({c.text for c in cases}) == len(cases), "a message is in two sets"
    heldout = [c for c in cases if c.part == "heldout"]
    assert sum(not c.scam for c in heldout) >= 50 and sum(c.scam for c in heldout) >= 40


def test_a_malformed_line_is_refused_with_its_place(tmp_path: Path) -> None:
    for name in ("not_scam.txt", "scam_messages.txt", "scams.tsv", "heldout_ordinary.tsv",
                 "heldout_scams.tsv"):
        (tmp_path / name).write_text("# nothing\n", encoding="utf-8")
    (tmp_path / "ordinary.tsv").write_text("ok\tfine\nscam\tnot a kind\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"ordinary.tsv:2"):
        load_cases(tmp_path)


async def test_the_targets_hold_with_the_keyword_recognizer(runtime: Runtime) -> None:
    report = summarise(await run_cases(runtime, load_cases(), "t"), examples=50)
    every = report["all"]
    assert every["alarm_percent"] <= 1.0, report["failures"]
    assert every["scams_warned_percent"] >= 97.0, report["failures"]
    assert report["tuned"]["harm_missed"] == 0, report["failures"]
    assert report["tuned"]["harm_at_another_urgent_step"] == 0, report["failures"]
    assert report["nlu_sources"] == {"keywords": report["nlu_sources"]["keywords"]}


async def test_an_alarm_and_a_miss_are_counted(runtime: Runtime) -> None:
    """The benchmark can fail: an ordinary message that alarms and a harm it misses count."""
    cases = [Case("ok", "bác bị lừa mất 5 triệu rồi", "tuned"),
             Case("lost", "cài vneid thế nào", "tuned")]
    report = summarise(await run_cases(runtime, cases, "x"))
    assert report["all"]["alarms"] == 2 and report["all"]["harm_missed"] == 2


def test_the_command_is_a_bench_sub_command() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "bench", "safety", "--modes", "nope"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 2 and "unknown mode" in done.stdout
