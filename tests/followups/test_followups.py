"""Issue 26's "done when", with a clock the test moves, on SQLite and PostgreSQL: a resident
who accepts gets exactly one follow-up at the right time (held through the quiet hours),
answers it and continues in the activation guide; one who declines gets none; a cancelled one
is not sent; a restart between scheduling and sending loses nothing and sends once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

from bot.clock import ManualClock
from bot.teams.hours import VIETNAM
from tests.announcements.conftest import MORNING, HangingBotAPI, town
from tests.conftest import ROOT
from tests.teams.conftest import payload
from tests.zalo.fake_zalo import FakeZalo

ASK = "Bác đã nhận được tin nhắn về số điện thoại mới chưa ạ?"


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


async def to_the_wait(t: Any, user: str) -> list[dict[str, Any]]:
    """The change-number path of vneid_login, up to "7 đến 10 ngày"."""
    first = await t.web(user, text="/start vneid_login-yen_binh")
    police = await t.web(user, payload=payload(first, "Số đăng ký không còn dùng"))
    waiting: list[dict[str, Any]] = await t.web(user, payload=payload(police, "✅"))
    assert "7 đến 10 ngày" in waiting[0]["text"]
    return waiting


async def test_accepted_sent_once_at_seven_answered_and_continued(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    clock.set(dt.datetime(2027, 1, 5, 22, 30, tzinfo=VIETNAM).astimezone(dt.UTC))
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        waiting = await to_the_wait(t, "w1")
        offer = waiting[-1]
        assert offer["text"].startswith("⏰ Nếu bác đồng ý, sau 7 ngày cháu sẽ nhắn hỏi lại bác")
        assert ASK in offer["text"]
        accepted = await t.web("w1", payload=payload([offer], "✅ Nhắc tôi"))
        assert "07:00 ngày 13/01" in texts(accepted)  # 22:30 in a week: held to 07:00
        listed = await t.http.get("/api/chat/followups", params={"user": "w1"})
        [item] = listed.json()
        assert (item["flow_id"], item["step_id"]) == ("vneid_login", "cn_wait")
        assert item["due_at"] == dt.datetime(2027, 1, 13, 7, 0, tzinfo=VIETNAM).astimezone(
            dt.UTC).isoformat()
        assert (await t.http.get("/api/chat/followups", params={"user": "w2"})).json() == []

        waiting = await to_the_wait(t, "w2")  # declines
        await t.web("w2", payload=payload([waiting[-1]], "Thôi"))
        waiting = await to_the_wait(t, "w3")  # accepts, then cancels
        await t.web("w3", payload=payload([waiting[-1]], "✅ Nhắc tôi"))
        told = texts(await t.web("w3", text="cháu sẽ hỏi lại bác những gì?"))
        assert ASK in told
        assert "đã hủy 1 lời nhắc" in texts(await t.web("w3", text="hủy nhắc"))

        assert t.runtime.followups is not None
        early = dt.datetime(2027, 1, 13, 6, 59, tzinfo=VIETNAM).astimezone(dt.UTC)
        assert (await t.runtime.followups.run_due(early))["sent"] == 0
        seven = dt.datetime(2027, 1, 13, 7, 0, tzinfo=VIETNAM).astimezone(dt.UTC)
        clock.set(seven)
        assert (await t.runtime.followups.run_due(seven))["sent"] == 1
        assert (await t.runtime.followups.run_due(seven))["sent"] == 0
        [question] = await t.web_updates("w1")
        assert question["text"] == ASK
        for other in ("w2", "w3"):
            assert await t.web_updates(other) == []

        answered = await t.http.post("/api/chat", json={"user": "w1", "text": "rồi"})
        assert answered.json()["guide"]["id"] == "vneid_activate"  # the activation guide
        assert "Bước 1/" in texts(answered.json()["messages"])
        rows = await t.sql("SELECT status, answer FROM followups ORDER BY id")
        assert [tuple(r) for r in rows] == [("answered", "done"), ("cancelled", None)]

        await t.api("GET", "/announcements")  # signs the team's editor in
        team = (await t.http.get("/admin/followups")).text
        row = team.split("Không đăng nhập được VNeID", 1)[-1].split("</tr>", 1)[0]
        assert "<td>2</td><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td>" in row
        await t.api("GET", "/announcements", login="admin")
        assert "&lt;5" in (await t.http.get("/admin/followups")).text  # the "<5" rule


async def test_the_activation_guide_opens_from_the_button_too(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        waiting = await to_the_wait(t, "w1")
        await t.web("w1", payload=payload([waiting[-1]], "✅ Nhắc tôi"))
        later = MORNING + dt.timedelta(days=7)
        clock.set(later)
        assert t.runtime.followups is not None
        assert (await t.runtime.followups.run_due(later))["sent"] == 1
        [question] = await t.web_updates("w1")
        not_yet = await t.web("w1", payload=payload([question], "⏳ Chưa"))
        assert "hỏi lại bác một lần nữa" in texts(not_yet)
        again = later + dt.timedelta(days=7)
        clock.set(again)
        assert (await t.runtime.followups.run_due(again))["sent"] == 1
        [second] = await t.web_updates("w1")
        opened = await t.http.post("/api/chat", json={
            "user": "w1", "payload": payload([second], "✅ Rồi")})
        assert opened.json()["guide"]["id"] == "vneid_activate"
        mine = texts(await t.web("w1", text="xem dữ liệu của tôi"))
        assert mine


async def test_a_restart_between_scheduling_and_sending_sends_once(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        waiting = await to_the_wait(t, "w1")
        await t.web("w1", payload=payload([waiting[-1]], "✅ Nhắc tôi"))
    # The server is gone; the operator's command sends what is due, twice.
    due = (MORNING + dt.timedelta(days=8)).astimezone(VIETNAM).isoformat()
    env = {**os.environ, "DATABASE_URL": database_url.replace("+aiosqlite", "")
           .replace("+asyncpg", ""), "NLU": "keywords"}
    command = [sys.executable, "-m", "bot", "followups", "run-due", "--now", due]
    first = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True,
                                    cwd=ROOT, env=env, check=True)
    assert json.loads(first.stdout.strip().splitlines()[-1])["sent"] == 1
    second = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True,
                                     cwd=ROOT, env=env, check=True)
    assert json.loads(second.stdout.strip().splitlines()[-1]) == {
        "sent": 0, "skipped": {}, "closed_no_answer": 0}
    clock.set(MORNING + dt.timedelta(days=8))
    async with town(database_url, fake_api, fake_zalo, clock, fresh=False) as t2:
        assert t2.runtime.followups is not None
        assert (await t2.runtime.followups.run_due())["sent"] == 0
        [question] = await t2.web_updates("w1")
        assert question["text"] == ASK


async def test_on_zalo_a_wait_past_the_window_is_a_note_not_a_promise(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        first = await t.za("z1", "/start vneid_login-yen_binh")
        police = await t.za("z1", next(b["payload"] for m in first for b in m.buttons
                                       if b["title"].startswith("Số đăng ký")))
        waiting = await t.za("z1", next(b["payload"] for m in police for b in m.buttons
                                        if b["title"].startswith("✅")))
        said = "\n".join(m.text for m in waiting)
        assert "7 đến 10 ngày" in said
        assert "Trên Zalo cháu không tự nhắn lại được sau 7 ngày" in said
        assert not any(b["title"].startswith("✅ Nhắc tôi") for m in waiting for b in m.buttons)
        assert await t.sql("SELECT * FROM followups") == []
