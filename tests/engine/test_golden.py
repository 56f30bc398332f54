"""Golden conversation transcripts: inputs, and the exact replies, events and state.

Each file in ``golden/`` lists turns; the test replays the ``send`` of every turn and compares
everything else. A file may start from a saved ``start_state`` (e.g. one naming a step a newer
guide version removed) and set ``places`` (``{}``: a resident of no configured commune).
After an intended change, rewrite them with ``UPDATE_GOLDEN=1 pytest`` and review the diff
like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bot.engine.state import SessionState
from tests.engine.helpers import demo_engine, run

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("*.yml"))


def test_golden_files_exist() -> None:
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_transcript(path: Path) -> None:
    recorded = yaml.safe_load(path.read_text(encoding="utf-8"))
    engine = demo_engine(recorded.get("places"))
    start = SessionState.from_json(recorded.get("start_state"))
    actual = run(engine, [turn["send"] for turn in recorded["turns"]], start)
    if os.environ.get("UPDATE_GOLDEN"):
        recorded["turns"] = actual
        path.write_text(yaml.safe_dump(recorded, allow_unicode=True, sort_keys=False,
                                       width=100), encoding="utf-8")
        return
    for number, (expected, got) in enumerate(zip(recorded["turns"], actual, strict=True), 1):
        assert got == expected, f"{path.name}: turn {number} ({expected['send']}) differs"
