"""The learning loop in the console, without Rasa: the inbox and its actions, training
phrases, roles, bad input, the gate, and masked digits that stay masked."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.app import build_runtime
from bot.commands import main
from bot.nluloop.examples import entry, export_examples, read_repo_examples
from bot.storage.audit import audit_log
from bot.storage.tables import residents, unanswered
from bot.turn_contract import Incoming
from tests.admin.conftest import Site
from tests.conftest import settings_for, sqlite_url
from tests.nluloop.helpers import inbox, say

UNKNOWN = "con muốn hỏi giá lúa hôm nay ạ"
HELD_OUT = "thời tiết mai thế nào"  # in nlu/tests/heldout.tsv
DIGITS = re.compile(r"\d(?:[ .\-]?\d){3,}")


async def audit_actions(site: Site) -> list[tuple[str, str, str]]:
    async with site.runtime.database.engine.connect() as conn:
        rows = (await conn.execute(select(audit_log.c.actor, audit_log.c.action,
                                          audit_log.c.target).order_by(audit_log.c.id))).all()
    return [tuple(row) for row in rows if row.action.startswith("nlu.")]


async def test_inbox_groups_near_duplicates_and_assign_makes_an_example(site: Site) -> None:
    await say(site, "r1", UNKNOWN)
    await say(site, "r2", "Con muon hoi gia lua hom nay")
    await say(site, "r3", "gọi 0912 345 678 hỏi giá phân bón")
    groups = await inbox(site)
    texts = [g["text"] for g in groups]
    assert groups[0]["text"] == "gọi [số điện thoại] hỏi giá phân bón", texts
    lua = next(g for g in groups if "lua" in str(g["text"]).lower())
    assert lua["count"] == 2 and set(lua) >= {"id", "text", "count", "guess", "confidence"}
    assert (await inbox(site, "frequent"))[0]["count"] == 2
    async with site.client("editor") as (client, csrf):
        done = await client.post(f"/admin/api/unanswered/{lua['id']}/assign",
                                 headers={"X-CSRF-Token": csrf}, json={"intent": "out_of_scope"})
        assert done.status_code == 200, done.text
        again = await client.post(f"/admin/api/unanswered/{lua['id']}/assign",
                                  headers={"X-CSRF-Token": csrf}, json={"intent": "out_of_scope"})
        assert again.status_code == 404
        listed = await client.get("/admin/api/nlu/examples?intent=out_of_scope")
    console = listed.json()["console"]
    assert [(e["intent"], e["source"], e["author"]) for e in console] == [
        ("out_of_scope", "inbox", "editor")]
    assert len(await inbox(site)) == 1
    assert ("editor", "nlu.out_of_scope", "out_of_scope") in await audit_actions(site)


@pytest.mark.parametrize(("login", "status"), [(None, 401), ("member", 403), ("yb_editor", 200),
                                               ("editor", 200), ("admin", 200)])
async def test_roles(site: Site, login: str | None, status: int) -> None:
    async with site.client(login) as (client, csrf):
        assert (await client.get("/admin/api/unanswered")).status_code == status
        assert (await client.get("/admin/nlu")).status_code == (303 if login is None
                                                                 else status)
        assert (await client.get("/admin/api/nlu/models")).status_code == status
        if status != 200:
            train = await client.post("/admin/api/nlu/train", headers={"X-CSRF-Token": csrf})
            assert train.status_code == status


async def test_bad_input_gets_a_clear_4xx(site: Site) -> None:
    await say(site, "r1", UNKNOWN)
    group = (await inbox(site))[0]
    path = f"/admin/api/unanswered/{group['id']}/assign"
    async with site.client("editor") as (client, csrf):
        headers = {"X-CSRF-Token": csrf}
        assert (await client.post(path, json={"intent": "vneid_login"})).status_code == 403
        for body in ({"intent": "no_such_intent"}, {"intent": 3}, {}):
            response = await client.post(path, headers=headers, json=body)
            assert response.status_code == 400 and response.json()["error"], body
        broken = await client.post(path, headers=headers, content=b"{not json")
        assert broken.status_code == 400
        assert (await client.post("/admin/api/unanswered/999999/assign", headers=headers,
                                  json={"intent": "greet"})).status_code == 404
        assert (await client.get("/admin/api/nlu/jobs/nope")).status_code == 404
        huge = f"/admin/api/nlu/examples/{2**70}"
        assert (await client.delete(huge, headers=headers)).status_code == 404
        assert (await client.put(huge, headers=headers, json={"text": "xin chào bạn nhé"})
                ).status_code == 404
        for body in ({}, {"job": 5}, {"model": "x"}, {"job": "nope"}):
            response = await client.post("/admin/api/nlu/activate", headers=headers, json=body)
            assert 400 <= response.status_code < 500 and "error" in response.json(), body
        short = await client.post("/admin/api/nlu/examples", headers=headers,
                                  json={"intent": "greet", "text": "a"})
        assert short.status_code == 400
        in_repo = await client.post("/admin/api/nlu/examples", headers=headers,
                                    json={"intent": "greet", "text": "Xin chào!"})
        assert in_repo.status_code == 400 and "kho" in in_repo.json()["error"]
        held_out = {"intent": "out_of_scope", "text": HELD_OUT.upper()}
        refused = await client.post("/admin/api/nlu/examples", headers=headers, json=held_out)
        assert refused.status_code == 400 and "kiểm tra" in refused.json()["error"]
        as_test = await client.post("/admin/api/nlu/examples", headers=headers,
                                    json={**held_out, "test": True})
        assert as_test.status_code == 201
        await say(site, "r2", HELD_OUT)
        group = next(g for g in await inbox(site) if g["text"] == HELD_OUT)
        assigned = await client.post(f"/admin/api/unanswered/{group['id']}/assign",
                                     headers=headers, json={"intent": "out_of_scope"})
        assert assigned.status_code == 400 and "kiểm tra" in assigned.json()["error"]


async def test_no_unmasked_number_reaches_training_data_or_export(site: Site,
                                                                  tmp_path: Path) -> None:
    learning = site.runtime.console.learning
    assert learning is not None
    await say(site, "r1", "mã otp 483920 của con bị sai rồi")
    engine = site.runtime.database.engine
    async with engine.begin() as conn:  # a row stored before masking existed, say
        rid = (await conn.execute(select(residents.c.id))).scalar_one()
        await conn.execute(insert(unanswered).values(
            resident_id=rid, text="số căn cước 001203004005 bị khóa", reason="not_understood",
            reviewed=False, created_at=site.runtime.clock.now()))
    async with site.client("editor") as (client, csrf):
        headers = {"X-CSRF-Token": csrf}
        for group in await inbox(site):
            response = await client.post(f"/admin/api/unanswered/{group['id']}/assign",
                                         headers=headers, json={"intent": "vneid_login"})
            assert response.status_code == 200, response.text
        added = await client.post("/admin/api/nlu/examples", headers=headers, json={
            "intent": "vneid_login", "text": "mật khẩu là abc123 sđt 0987654321"})
        assert added.status_code == 201
        test = await client.post("/admin/api/nlu/examples", headers=headers, json={
            "intent": "vneid_login", "text": "thẻ 4111 1111 1111 1111 không vào được",
            "test": True})
        assert test.status_code == 201
    stored = [e.text for e in await learning.store.examples()]
    assert len(stored) == 4 and not any(DIGITS.search(t) for t in stored), stored
    assert "[mật khẩu]" in " ".join(stored)
    trainer = learning.trainer
    trainer.paths = trainer.paths.__class__(**{**trainer.paths.__dict__, "models": tmp_path})
    data = trainer._write_data(await learning.book.training_rows())
    console = (data.training / "console.yml").read_text(encoding="utf-8")
    assert "- intent: vneid_login" in console and not DIGITS.search(console), console
    assert "không vào được" not in console  # a test example is never trained on
    exported, count = await export_examples(learning.book, tmp_path)
    assert count == 3 and not DIGITS.search(exported.read_text(encoding="utf-8"))


async def test_keyword_action_publishes_the_guide_and_the_message_then_opens_it(
        site: Site) -> None:
    text = "cái app màu đỏ có ngôi sao vàng"
    await say(site, "r1", text)
    group = (await inbox(site))[0]
    async with site.client("editor") as (client, csrf):
        response = await client.post(f"/admin/api/unanswered/{group['id']}/keyword",
                                     headers={"X-CSRF-Token": csrf},
                                     json={"flow": "vneid_install",
                                           "words": "app màu đỏ có ngôi sao"})
        assert response.status_code == 200, response.text
    async with site.client("yb_editor") as (client, csrf):  # may not publish guides
        await say(site, "r2", "hỏi cái khác hoàn toàn")
        other = (await inbox(site))[0]
        refused = await client.post(f"/admin/api/unanswered/{other['id']}/keyword",
                                    headers={"X-CSRF-Token": csrf}, json={"flow": "vneid_install"})
        assert refused.status_code == 403
    detail = await site.runtime.console.flows.detail("vneid_install")
    assert "app màu đỏ có ngôi sao" in detail.published.document["keywords"]  # type: ignore[union-attr]
    await site.runtime.live.refresh()
    replies = await site.runtime.service.handle(Incoming("web", "r3", text=text))
    assert replies and any(b.payload.startswith(("n:vneid_install", "s:vneid_install"))
                           for r in replies for b in r.buttons), [r.text for r in replies]
    assert ("editor", "nlu.keyword_added", "vneid_install") in await audit_actions(site)


async def test_pages_and_bulk_actions(site: Site) -> None:
    await say(site, "r1", UNKNOWN)
    await say(site, "r2", "hỏi chuyện thời tiết")
    ids = [str(g["id"]) for g in await inbox(site)]
    async with site.client("editor") as (client, csrf):
        for path in ("/admin/nlu", "/admin/nlu?sort=frequent", "/admin/nlu/intents",
                     "/admin/nlu/intents/greet", "/admin/nlu/models", "/admin/nlu/quality"):
            page = await client.get(path)
            assert page.status_code == 200 and "Học từ tin nhắn" in page.text, path
        assert "giá lúa" in (await client.get("/admin/nlu")).text
        assert (await client.get("/admin/nlu/intents/nope")).status_code == 404
        none = await client.post("/admin/nlu", data={"csrf_token": csrf, "action": "dismiss"})
        assert none.status_code == 400 and "chọn" in none.text
        done = await client.post("/admin/nlu", data={"csrf_token": csrf, "action": "dismiss",
                                                     "ids": ids})
        assert done.status_code == 303
        added = await client.post("/admin/nlu/intents/greet", data={
            "csrf_token": csrf, "action": "add", "text": "chào buổi trưa nha cháu"})
        assert added.status_code == 303
        intent_page = await client.get("/admin/nlu/intents/greet")
        assert "chào buổi trưa nha cháu" in intent_page.text and "xin chào" in intent_page.text
    assert await inbox(site) == []
    actions = [a for _, a, _ in await audit_actions(site)]
    assert actions.count("nlu.dismissed") == 2 and "nlu.example_added" in actions


async def test_the_gate_refuses_a_worse_model_unless_an_admin_gives_a_reason(
        site: Site) -> None:
    learning = site.runtime.console.learning
    assert learning is not None
    store, now = learning.store, site.runtime.clock.now()
    worse = await store.register_model({"file": "nlu-worse.tar.gz", "source": "console",
                                        "base_hash": "x", "examples": 1, "train_seconds": 1.0,
                                        "created_by": "editor"}, now)
    job = await store.start_job("j1", "editor", None, entry(None, "nlu.training_started", "j1"),
                                now, now)
    assert job is not None
    routing = {"right": 1, "clarified_right": 0, "clarified_other": 0, "wrong": 0}
    await store.update_job("j1", state="done", new_model_id=worse.id, result={
        "old": {"n": 100, "accuracy": 0.95, "macro_f1": 0.95, "routing": routing},
        "new": {"n": 100, "accuracy": 0.93, "macro_f1": 0.92, "routing": routing},
        "per_intent": [{"intent": "greet", "support": 4, "old_f1": 1.0, "new_f1": 0.5,
                        "old_recall": 1.0, "new_recall": 0.5, "old_precision": 1.0,
                        "new_precision": 0.5}]})
    async with site.client("editor") as (client, csrf):
        status = await client.get("/admin/api/nlu/jobs/j1")
        assert status.json()["state"] == "done"
        assert status.json()["old"]["accuracy"] == 0.95 and status.json()["new"]["accuracy"] == 0.93
        page = await client.get("/admin/nlu/jobs/j1")
        assert "giảm 2.0 điểm" in page.text
        refused = await client.post("/admin/api/nlu/activate", headers={"X-CSRF-Token": csrf},
                                    json={"job": "j1", "reason": "cần gấp"})
        assert refused.status_code == 409 and refused.json()["gate"] is True
        assert await store.start_job("j2", "admin", None, entry(None, "x", "j2"), now,
                                     now) is not None  # j1 is done: another may run
        second = await client.post("/admin/api/nlu/train", headers={"X-CSRF-Token": csrf})
        assert second.status_code == 409  # one training at a time
    async with site.client("admin") as (client, csrf):
        bare = await client.post("/admin/api/nlu/activate", headers={"X-CSRF-Token": csrf},
                                 json={"job": "j1"})
        assert bare.status_code == 409 and bare.json()["gate"] is True
        passed = await client.post("/admin/api/nlu/activate", headers={"X-CSRF-Token": csrf},
                                   json={"job": "j1", "reason": "dữ liệu kiểm tra cũ"})
        # past the gate; with keyword NLU no Rasa can switch: a clear 409, nothing activated
        assert passed.status_code == 409 and passed.json()["serving"] is False
    assert (await store.active_model()) is None


def test_export_examples_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)

    async def add() -> None:
        async with build_runtime(settings_for(url)) as rt:
            book = rt.console.learning.book  # type: ignore[union-attr]
            await book.add(None, "sim_4g", "sim 4g của ông 0912345678 không vào mạng")
            await book.add(None, "sim_4g", "đổi sim 4g ở đâu gần nhà", test=True)

    asyncio.run(add())
    assert main(["nlu", "export-examples", "--out", str(tmp_path)]) == 0
    assert "1 examples" in capsys.readouterr().out
    written = (tmp_path / "console.yml").read_text(encoding="utf-8")
    assert "- intent: sim_4g\n  examples: |\n    - sim 4g của ông [số điện thoại] không" in written
    assert "gần nhà" not in written and not DIGITS.search(written)
    assert read_repo_examples(tmp_path)["sim_4g"] == [
        "sim 4g của ông [số điện thoại] không vào mạng"]
