"""Reach and results as a team lives them: a member asks the bot for their link (/chiase), a
resident follows it in the web chat and finishes the guide, the member is told on Telegram
(nothing about the resident), a second resident stops midway and presses "🆘 Tôi bị kẹt",
and the dashboard, the API and /thongke count both for that member and unit, the funnel
pointing at the step where the second resident stopped. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

import zxingcpp
from PIL import Image

from bot.clock import ManualClock
from bot.reports.funnels import main_path
from bot.reports.links import member_code
from tests.accounts.conftest import CHEAP
from tests.teams.conftest import (  # noqa: F401  (fixtures)
    GRANNY,
    MINH,
    MORNING,
    Scene,
    fake_api,
    scene,
    shown,
)
from tests.telegram.fake_api import FakeBotAPI

GUIDE = "vneid_install"
PASSWORD = "mật khẩu thử nghiệm 1"


def presses(s: Scene, stop_after: int | None = None) -> list[str]:
    """The payloads that walk the guide's main path (the buttons a resident taps)."""
    compiled = s.runtime.catalog.flows[GUIDE]
    path = main_path(compiled)
    found = []
    for here, there in itertools.pairwise(path):
        if compiled.default_next(here) == there:
            found.append(f"n:{GUIDE}.{here}")
        else:
            index = next(i for i, b in enumerate(compiled.steps[here].buttons) if b.next == there)
            found.append(f"s:{GUIDE}.{here}.{index}")
    return found[:stop_after]


async def test_a_members_link_from_telegram_to_the_dashboard(
        database_url: str, fake_api: FakeBotAPI) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock, public_url="https://troly.yenbinh.vn") as s:
        await s.link_group()
        await s.join(MINH)
        # Only members get links, and only in a private chat.
        assert "chưa là thành viên" in shown((await s.say(GRANNY, "/chiase vneid"))[-1])
        group = {"id": -100777, "type": "supergroup", "title": "Tổ CNS xã Yên Bình"}
        assert "tin nhắn riêng" in shown((await s.say(MINH, "/chiase vneid", group))[-1])
        # The member asks the bot for their own link to the guide.
        sent = await s.say(MINH, "/chiase cai vneid")
        photos = [c for c in sent if c.method == "sendPhoto"]
        assert photos, sent
        caption = shown(photos[0])
        assert "Cài ứng dụng VNeID" in caption
        web = re.search(r"Web: (\S+)", caption)
        assert web is not None
        argument = web[1].split("?start=", 1)[1]
        member = (await s.runtime.reports.telegram_members(MINH["id"]))[0]
        assert argument == f"{GUIDE}-yen_binh-{member_code(member.id)}"
        qr = zxingcpp.read_barcodes(Image.open(io.BytesIO(photos[0].files["photo"])))
        assert [c.text for c in qr] == [f"https://t.me/digiguide_test_bot?start={argument}"]
        # A resident scans it: the web chat opens the guide; they walk to the end and say 👍.
        first = await s.web("w1", text=f"/start {argument}")
        assert "Bước 1/" in first[0]["text"]
        for step in presses(s):
            await s.web("w1", payload=step)
        await s.web("w1", payload=f"fb:{GUIDE}:useful")
        await s.drain()
        notice = shown(s.last_to(MINH))
        assert notice.startswith("Một người dân anh/chị gửi hướng dẫn «Cài VNeID, đăng ký "
                                 "mức 1» vừa làm xong 🎉")
        assert "w1" not in notice and "/thongbao tat" in notice
        # A second resident stops after three steps and asks for help there.
        await s.web("w2", text=f"/start {argument}")
        for step in presses(s, 3):
            await s.web("w2", payload=step)
        await s.web("w2", payload="c:stuck")
        stopped_at = main_path(s.runtime.catalog.flows[GUIDE])[3]
        await s.drain()
        assert len([c for c in s.to(MINH) if "vừa làm xong" in shown(c)]) == 1
        # The dashboard (the commune's own team) counts both, and the weak step.
        s.runtime.console.accounts.passwords = CHEAP
        await s.runtime.console.accounts.create_user("yenbinh", "editor", commune="yen_binh",
                                                     password=PASSWORD)
        login = await s.http.post("/admin/api/login",
                                  json={"login": "yenbinh", "password": PASSWORD})
        assert login.status_code == 200
        data: dict[str, Any] = (await s.http.get(
            "/admin/api/reports/units/yen_binh?from=2026-11-01&to=2026-11-30")).json()
        assert (data["residents_reached"], data["guides_started"],
                data["guides_completed"], data["confirmed"]) == (2, 2, 1, 1)
        assert data["members"] == [{"name": "Minh", "unit": "Xã Yên Bình", "started": 2,
                                    "finished": 1}]
        assert data["handoffs_opened"] == 1
        funnel = data["funnels"][GUIDE]
        assert [f["step_id"] for f in funnel if f["biggest_loss"]] == [stopped_at]
        assert next(f for f in funnel if f["step_id"] == stopped_at)["stuck"] == 1
        page = await s.http.get("/admin/reports?unit=yen_binh")
        assert page.status_code == 200 and "mất nhiều nhất" in page.text
        # /thongke: this month against the last, for the unit and for the member.
        stats = shown((await s.say(MINH, "/thongke"))[-1])
        assert "Tháng này: 2 người dân, 2 lượt bắt đầu, 1 lượt làm xong, 1 xác nhận 👍" in stats
        assert "Tháng trước: 0 người dân" in stats
        assert "Qua link của anh/chị (tháng này): 2 lượt bắt đầu, 1 lượt làm xong" in stats
        # A resident typing the members' commands gets the assistant, not figures.
        assert "Tháng này" not in shown((await s.say(GRANNY, "/thongke"))[-1])
        # Notices off: the next finish is not announced.
        await s.say(MINH, "/thongbao tat")
        await s.web("w3", text=f"/start {argument}")
        for step in presses(s):
            await s.web("w3", payload=step)
        await s.drain()
        assert len([c for c in s.to(MINH) if "vừa làm xong" in shown(c)]) == 1
