"""The form editor covers every field of the flow schema (derived from the pydantic models):
every guide in flows/ opened in the form and saved unchanged gives back the very document,
stores no new version, and an edit of one step changes that step only (``waits`` and
``end: pending`` survive)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.admin.context import vietnam_time
from bot.admin.forms import (
    BUTTON_FIELDS,
    FLOW_FIELDS,
    STEP_FIELDS,
    TARGET_KINDS,
    form_fields,
    parse_form,
)
from bot.flowspec.model import Button, Flow, Step
from bot.teams.hours import VIETNAM
from tests.admin.conftest import Site
from tests.conftest import FLOWS

GUIDES = sorted(p.stem for p in FLOWS.glob("*.yml"))


def _document(flow_id: str) -> dict[str, object]:
    raw = yaml.safe_load((FLOWS / f"{flow_id}.yml").read_text(encoding="utf-8"))
    return Flow.model_validate(raw).model_dump(mode="json")


def test_every_schema_field_has_its_place_in_the_form() -> None:
    assert set(FLOW_FIELDS) | {"id", "steps"} == set(Flow.model_fields)
    assert set(STEP_FIELDS) | {"buttons"} == set(Step.model_fields)
    assert set(BUTTON_FIELDS) | set(TARGET_KINDS) == set(Button.model_fields)
    assert {"waits", "end", "side", "slot", "image", "next"} <= set(STEP_FIELDS)


@pytest.mark.parametrize("flow_id", GUIDES)
def test_a_guide_survives_the_form_unchanged(flow_id: str) -> None:
    document = _document(flow_id)
    parsed = parse_form(flow_id, form_fields(document))
    assert Flow.model_validate(parsed.document).model_dump(mode="json") == document


@pytest.mark.parametrize("flow_id", ["payment_ewallet", "vneid_documents", "vneid_level2",
                                     "vneid_login", "vneid_install"])
async def test_saving_the_form_unchanged_is_a_no_op(site: Site, flow_id: str) -> None:
    flows = site.runtime.console.flows
    before = await flows.detail(flow_id)
    document = before.latest.document
    sent = form_fields(document)
    async with site.client("editor") as (client, csrf):
        page = (await client.get(f"/admin/flows/{flow_id}")).text
        shown = set(re.findall(r'name="([^"]+)"', page))
        assert not set(sent) - shown  # every field the document needs is on the page
        if any(s.get("end") == "pending" for s in document["steps"]):  # type: ignore[union-attr]
            assert '<option value="pending" selected>' in page
        saved = await client.post(f"/admin/flows/{flow_id}/save", data={
            **sent, "csrf_token": csrf, "base_version": str(before.head.latest_version)})
        assert saved.status_code == 303, saved.text[:2000]
        assert saved.headers["location"].endswith("?ok=unchanged")
        after = await flows.detail(flow_id)
        assert after.head.latest_version == before.head.latest_version
        assert after.latest.document == _document(flow_id) == document  # the file, exactly

        changed = {**sent, "steps-0-text": sent["steps-0-text"] + " Bác làm từ từ nhé."}
        edited = await client.post(f"/admin/flows/{flow_id}/save", data={
            **changed, "csrf_token": csrf, "base_version": str(before.head.latest_version)})
        assert edited.status_code == 303 and "saved-" in edited.headers["location"]
    new = (await flows.detail(flow_id)).latest.document
    assert new["steps"][0]["text"].endswith("Bác làm từ từ nhé.")  # type: ignore[index]
    new["steps"][0]["text"] = document["steps"][0]["text"]  # type: ignore[index]
    assert new == document  # nothing else moved: waits, pending, buttons all kept


def test_the_guides_that_broke_the_editor_are_covered() -> None:
    waits = [f for f in GUIDES if any(s.get("waits") for s in _document(f)["steps"])]  # type: ignore[union-attr]
    assert {"vneid_level2", "vneid_login"} & set(waits)
    assert Path(FLOWS / "vneid_level2.yml").exists()


async def test_times_are_vietnam_time_and_say_so(site: Site) -> None:
    detail = await site.runtime.console.flows.detail("vneid_install")
    created = detail.latest.created_at
    shown = vietnam_time(created)
    assert shown.endswith("giờ VN")
    assert shown.startswith(created.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"))
    async with site.client("admin") as (client, _):
        for path in ("/admin/flows/vneid_install/history", "/admin/flows", "/admin/audit"):
            page = (await client.get(path)).text
            assert "giờ VN" in page, path
        assert shown in (await client.get("/admin/flows/vneid_install/history")).text
