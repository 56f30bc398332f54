"""Follow-ups in the flow format: validated like every other field (``flows validate``
reports a follow-up's unknown guide), declared on the waiting paths of the guides, which end
``pending``, and kept by the console's form editor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.admin.forms import form_rows, parse_form
from bot.flowspec.checks import check_flows
from bot.flowspec.loader import read_flow_file
from tests.conftest import FLOWS

WAITING = {"vneid_login": "cn_wait", "vssid_install": "get_password", "sim_4g": "go_store",
           "vneid_level2": "go_police", "scam_report": "lost_police"}


def test_the_waiting_paths_declare_a_follow_up_and_end_pending() -> None:
    for flow_id, step_id in WAITING.items():
        document = yaml.safe_load((FLOWS / f"{flow_id}.yml").read_text(encoding="utf-8"))
        step = next(s for s in document["steps"] if s["id"] == step_id)
        assert step["followup"]["after_days"] >= 1, flow_id
        assert step["followup"]["ask"].endswith("?"), flow_id
    for flow_id in ("vssid_install", "sim_4g"):  # they send the resident somewhere
        document = yaml.safe_load((FLOWS / f"{flow_id}.yml").read_text(encoding="utf-8"))
        ends = {s.get("end") for s in document["steps"]}
        assert "completed" not in ends and "pending" in ends
        assert not any("🎉" in s["text"] for s in document["steps"])
    login = yaml.safe_load((FLOWS / "vneid_login.yml").read_text(encoding="utf-8"))
    wait = next(s for s in login["steps"] if s["id"] == "cn_wait")
    assert wait["followup"]["done"] == {"flow": "vneid_activate"}


def test_flows_validate_checks_a_follow_ups_targets(tmp_path: Path) -> None:
    for path in FLOWS.glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8").replace(
            "done: {flow: vneid_activate}", "done: {flow: khong_co}"), encoding="utf-8")
    loaded = [read_flow_file(path)[0] for path in sorted(tmp_path.glob("*.yml"))]
    problems = [p for p in check_flows([f for f in loaded if f is not None])
                if "follow-up" in p.message]
    assert problems and "no flow `khong_co`" in problems[0].message
    assert problems[0].file.endswith("vneid_login.yml") and problems[0].line > 0


def _form(rows: list[dict[str, Any]]) -> dict[str, str]:
    form: dict[str, str] = {"title": "x"}
    for i, row in enumerate(rows):
        for key in ("id", "text", "image", "next", "end", "slot", "followup"):
            if row.get(key):
                form[f"steps-{i}-{key}"] = str(row[key])
        for key in ("side", "waits"):
            if row.get(key):
                form[f"steps-{i}-{key}"] = "1"
        for j, button in enumerate(row["buttons"]):
            for key in ("label", "kind", "target", "value"):
                if button.get(key):
                    form[f"steps-{i}-buttons-{j}-{key}"] = button[key]
    return form


def test_the_form_editor_keeps_waits_and_follow_ups() -> None:
    document = yaml.safe_load((FLOWS / "vneid_login.yml").read_text(encoding="utf-8"))
    parsed = parse_form("vneid_login", _form(form_rows(document)))
    by_id = {s["id"]: s for s in parsed.document["steps"]}
    assert by_id["cn_police"]["waits"] is True
    assert by_id["cn_wait"]["followup"] == next(
        s for s in document["steps"] if s["id"] == "cn_wait")["followup"]
