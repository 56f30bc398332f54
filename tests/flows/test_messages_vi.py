"""The console's check messages are Vietnamese and name steps as the editor shows them
(Bước N, counted from 1, with the step's id), whatever the check that found the problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from bot.flows.validation import check_document
from bot.flowspec.model import Flow
from tests.conftest import FLOWS

KNOWN = {p.stem for p in FLOWS.glob("*.yml")}
ENGLISH = ("names no step", "must ", "should", "cannot", "never", "unknown", "missing",
           "duplicate", "needs", "field", "step `")


def _level2() -> dict[str, Any]:
    raw = yaml.safe_load((FLOWS / "vneid_level2.yml").read_text(encoding="utf-8"))
    return Flow.model_validate(raw).model_dump(mode="json")


def _break(document: dict[str, Any], how: str) -> None:
    steps = document["steps"]
    if how == "next":
        steps[3]["next"] = "khong_co"
        steps[3].pop("end", None)
    elif how == "button_flow":
        steps[0]["buttons"] = [{"label": "Mở", "flow": "khong_co"}]
    elif how == "placeholder":
        steps[3]["text"] += " {xa}"
    elif how == "too_long":
        steps[3]["text"] = "a" * 5000
    elif how == "empty_label":
        steps[3]["buttons"] = [{"label": "", "next": steps[0]["id"]}]
    elif how == "duplicate":
        steps[3]["id"] = steps[1]["id"]
    elif how == "waits_completed":
        for step in steps:
            if step.get("end") == "pending":
                step["end"] = "completed"
    elif how == "bad_end":
        steps[3]["end"] = "xong"


@pytest.mark.parametrize("how", ["next", "button_flow", "placeholder", "too_long",
                                 "empty_label", "duplicate", "waits_completed", "bad_end"])
def test_every_message_is_vietnamese_and_counts_steps_from_one(how: str) -> None:
    document = copy.deepcopy(_level2())
    _break(document, how)
    checked = check_document(document, flow_id="vneid_level2", known_ids=KNOWN,
                             flows_dir=FLOWS)
    assert checked.errors, how
    for error in checked.errors:
        assert not any(word in error.message for word in ENGLISH), error.message
        if error.path.startswith("steps."):
            number = int(error.path.split(".")[1]) + 1
            assert error.message.startswith(f"Bước {number}"), error.message


def test_an_untouched_guide_has_no_message() -> None:
    checked = check_document(_level2(), flow_id="vneid_level2", known_ids=KNOWN,
                             flows_dir=FLOWS)
    assert checked.ok and checked.errors == []
