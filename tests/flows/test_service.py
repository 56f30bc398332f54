"""Drafts, publish, stale bases, rollback, valid-only serving and the seed import."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.accounts import Forbidden
from bot.app import Runtime, build_runtime
from bot.flows.service import Conflict, Invalid
from bot.storage.flow_store import NewVersion
from bot.turn_contract import Incoming
from tests.conftest import settings_for, sqlite_url
from tests.flows.helpers import ADMIN, EDITOR, MEMBER, copy_flows, step, working_copy

NEW_TEXT = "Bác mở kho ứng dụng CH Play (biểu tượng tam giác nhiều màu) ạ."


async def first_step_text(rt: Runtime, user: str = "r1") -> str:
    replies = await rt.service.handle(Incoming("web", user, text="/start vneid_install"))
    return "\n".join(r.text for r in replies or [])


async def test_a_draft_is_served_only_once_published(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    step(document, "prepare")["text"] = NEW_TEXT
    draft = await flows.save_draft(EDITOR, "vneid_install", base, document, "CH Play")
    assert draft == base + 1
    detail = await flows.detail("vneid_install")
    assert (detail.head.published_version, detail.head.draft_version) == (base, draft)
    assert NEW_TEXT not in await first_step_text(runtime)
    await flows.publish(EDITOR, "vneid_install", draft)
    await runtime.live.refresh()
    assert NEW_TEXT in await first_step_text(runtime, "r2")
    versions = await flows.versions("vneid_install")
    assert [(v.version, v.author, v.published) for v in versions] == [
        (draft, "editor", True), (base, "flows/", True)]


async def test_a_stale_base_is_refused(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    step(document, "prepare")["text"] = "Bản của người thứ nhất."
    await flows.save_draft(EDITOR, "vneid_install", base, document)
    step(document, "prepare")["text"] = "Bản của người thứ hai."
    with pytest.raises(Conflict) as refused:
        await flows.save_draft(ADMIN, "vneid_install", base, document)
    assert refused.value.latest == base + 1
    latest = (await flows.detail("vneid_install")).latest.document
    assert step(latest, "prepare")["text"] == "Bản của người thứ nhất."


async def test_an_invalid_draft_is_refused_with_located_messages(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    step(document, "prepare")["next"] = "no_such_step"
    with pytest.raises(Invalid) as refused:
        await flows.save_draft(EDITOR, "vneid_install", base, document)
    [error] = refused.value.errors
    index = [s["id"] for s in document["steps"]].index("prepare")
    assert error.path == f"steps.{index}.next"
    assert error.message == (f"Bước {index + 1} (`prepare`), «Xong» đến bước: không có bước "
                             "`no_such_step` trong hướng dẫn này")  # as the editor counts
    assert (await flows.detail("vneid_install")).head.latest_version == base
    document["id"] = "renamed"
    with pytest.raises(Invalid, match="problem"):
        await flows.save_draft(EDITOR, "vneid_install", base, document)


async def test_team_members_cannot_edit_or_publish(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    with pytest.raises(Forbidden):
        await flows.save_draft(MEMBER, "vneid_install", base, document)
    with pytest.raises(Forbidden):
        await flows.publish(MEMBER, "vneid_install", base)
    with pytest.raises(Forbidden):
        await flows.rollback(MEMBER, "vneid_install", base)


async def test_only_the_newest_draft_is_published(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    step(document, "prepare")["text"] = "Một."
    first = await flows.save_draft(EDITOR, "vneid_install", base, document)
    step(document, "prepare")["text"] = "Hai."
    second = await flows.save_draft(EDITOR, "vneid_install", first, document)
    with pytest.raises(Conflict):
        await flows.publish(EDITOR, "vneid_install", first)
    await flows.publish(EDITOR, "vneid_install", second)
    await flows.publish(EDITOR, "vneid_install", second)  # again: nothing to do
    assert (await flows.detail("vneid_install")).head.published_version == second


async def test_rollback_publishes_an_old_version_as_a_new_one(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    original = step(document, "prepare")["text"]
    step(document, "prepare")["text"] = NEW_TEXT
    draft = await flows.save_draft(EDITOR, "vneid_install", base, document)
    await flows.publish(EDITOR, "vneid_install", draft)
    rolled = await flows.rollback(ADMIN, "vneid_install", base)
    assert rolled == draft + 1
    detail = await flows.detail("vneid_install")
    assert detail.head.published_version == rolled
    assert step(detail.latest.document, "prepare")["text"] == original
    assert detail.latest.note == f"Khôi phục phiên bản {base}" and detail.latest.author == "admin"
    await runtime.live.refresh()
    text = await first_step_text(runtime)
    assert original.split("\n")[0] in text and NEW_TEXT not in text


async def test_a_restart_keeps_what_editors_published(tmp_path: Path) -> None:
    settings = settings_for(sqlite_url(tmp_path), flows_dir=copy_flows(tmp_path / "flows"))
    async with build_runtime(settings) as rt:
        base, document = await working_copy(rt, "vneid_install")
        step(document, "prepare")["text"] = NEW_TEXT
        await rt.console.flows.publish(
            EDITOR, "vneid_install",
            await rt.console.flows.save_draft(EDITOR, "vneid_install", base, document))
    async with build_runtime(settings) as rt:
        assert NEW_TEXT in await first_step_text(rt)
        assert (await rt.console.flows.detail("vneid_install")).head.latest_version == base + 1
    # The seed file changes afterwards (a deploy): kept as a draft, the edit stays served.
    path = settings.flows_dir / "vneid_install.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Cài ứng dụng VNeID", "title: Cài VNeID"), encoding="utf-8")
    async with build_runtime(settings) as rt:
        detail = await rt.console.flows.detail("vneid_install")
        assert detail.head.draft_version == base + 2
        assert detail.head.published_version == base + 1
        assert NEW_TEXT in await first_step_text(rt)


async def test_a_broken_file_never_replaces_the_served_version(tmp_path: Path) -> None:
    settings = settings_for(sqlite_url(tmp_path), flows_dir=copy_flows(tmp_path / "flows"))
    async with build_runtime(settings) as rt:
        good = await first_step_text(rt)
    path = settings.flows_dir / "vneid_install.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^    next: \w+$", "    next: nowhere", text, count=1),
                    encoding="utf-8")
    async with build_runtime(settings) as rt:
        assert await first_step_text(rt) == good
        detail = await rt.console.flows.detail("vneid_install")
        assert detail.head.published_version == 1 and detail.head.draft_version == 2
        with pytest.raises(Invalid):
            await rt.console.flows.publish(EDITOR, "vneid_install", 2)


async def test_a_stored_version_that_fails_the_checks_is_skipped(runtime: Runtime) -> None:
    """Versions stored before a check existed (or by hand) fall back to the last good one."""
    store = runtime.console.flows.store
    _, document = await working_copy(runtime, "vneid_install")
    step(document, "prepare")["next"] = "nowhere"
    await store.add(NewVersion("vneid_install", document, "sql", "console", publish=True),
                    runtime.console.flows.clock.now(), None)
    await runtime.live.refresh()
    assert "vneid_install" in runtime.catalog.flows
    assert runtime.catalog.flows["vneid_install"].steps["prepare"].next != "nowhere"


async def test_export_then_import_changes_nothing_for_every_guide(runtime: Runtime,
                                                               tmp_path: Path) -> None:
    flows = runtime.console.flows
    written = await flows.export_dir(tmp_path / "export")
    assert len(written) == len(runtime.catalog.flows) >= 15
    stored, problems = await flows.import_dir(tmp_path / "export")
    assert stored == [] and problems == []
    for path in written:
        version = (await flows.detail(path.stem)).published
        assert version is not None
        checked = await flows.check_text(path.stem, path.read_text(encoding="utf-8"))
        assert checked.ok and checked.flow is not None
        assert checked.flow.model_dump(mode="json") == version.document


async def test_diff_is_step_by_step(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    step(document, "prepare")["text"] = step(document, "prepare")["text"].replace(
        "miễn phí", "hoàn toàn miễn phí")
    removed = document["steps"].pop(-2)
    for s in document["steps"]:
        for b in s.get("buttons", []):
            if b.get("next") == removed["id"]:
                b["next"] = document["steps"][-1]["id"]
        if s.get("next") == removed["id"]:
            s["next"] = document["steps"][-1]["id"]
    draft = await flows.save_draft(EDITOR, "vneid_install", base, document)
    diff = await flows.diff("vneid_install", base, draft)
    changed = {s.step_id: s for s in diff.changed_steps}
    assert changed[removed["id"]].status == "removed"
    prepare = changed["prepare"]
    assert prepare.status == "changed"
    assert [text.strip() for op, text in prepare.fields[0].pieces if op != "="] == ["hoàn toàn"]
    assert (await flows.diff("vneid_install", base, base)).empty


async def test_search_ignores_case_and_diacritics(runtime: Runtime) -> None:
    hits = await runtime.console.flows.search("ch play")
    assert hits and all("ch play" in h.match.lower() for h in hits)
    assert {h.flow_id for h in hits} >= {"vneid_install"}
    assert len(await runtime.console.flows.search("MAT KHAU")) == len(
        await runtime.console.flows.search("mật khẩu")) > 0


async def test_summaries_list_overdue_guides_first(runtime: Runtime) -> None:
    flows = runtime.console.flows
    base, document = await working_copy(runtime, "sim_4g")
    document["reviewed"] = "2020-01-15"
    await flows.save_draft(EDITOR, "sim_4g", base, document)
    await runtime.service.handle(Incoming("web", "r9", text="/start vneid_install"))
    rows = await flows.summaries()
    assert rows[0].id == "sim_4g" and rows[0].overdue
    assert rows[0].review_by is not None and rows[0].review_by.isoformat() == "2020-07-15"
    assert rows[0].draft_version == base + 1 and rows[0].last_author == "editor"
    vneid = next(r for r in rows if r.id == "vneid_install")
    assert (vneid.started_30d, vneid.finished_30d) == (1, 0)
    assert not dataclasses.asdict(vneid)["overdue"]
