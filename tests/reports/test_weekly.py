"""The weekly summary: each linked team group gets last week's figures once (its own unit,
exact), unless the team turned it off; a quiet week sends nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.reports.weekly import WeeklySummary, last_week
from bot.storage.outbox import outbox
from bot.teams.hours import VIETNAM
from tests.reports.conftest import Seeded

YB_GROUP, YT_GROUP, PROVINCE_GROUP = -100777, -100778, -100779


async def group_posts(s: Seeded) -> list[tuple[str, str]]:
    async with s.runtime.database.engine.connect() as conn:
        rows: list[Any] = list(await conn.execute(select(outbox.c.party, outbox.c.body).where(
            outbox.c.channel == "telegram", outbox.c.party.like("-%"))))
    return [(r.party, "\n".join(x["text"] for x in r.body["replies"])) for r in rows]


async def test_last_weeks_summary_goes_to_each_group_once(seeded: Seeded) -> None:
    runtime = seeded.runtime
    for unit, chat in (("yen_binh", YB_GROUP), ("yen_thanh", YT_GROUP),
                       ("lao_cai", PROVINCE_GROUP)):
        code = await runtime.registry.new_code("link", unit)
        linked = await runtime.registry.link_group(code, chat, f"Nhóm {unit}", "tg:1")
        assert linked is not None and linked.id == unit
    await runtime.reports.set_weekly("yen_thanh", False)
    summary = WeeklySummary(runtime.reports, runtime.outbox)
    next_week = runtime.clock.now() + dt.timedelta(days=7)
    period = last_week(next_week)
    assert period.first.weekday() == 0 and (period.last - period.first).days == 6
    assert period.first <= runtime.clock.now().astimezone(VIETNAM).date() <= period.last
    cursor = await summary.run(next_week, None)
    assert cursor == period.first.isoformat()
    posts = dict(await group_posts(seeded))
    assert set(posts) == {str(YB_GROUP), str(PROVINCE_GROUP)}  # Yên Thành turned it off
    yen_binh = posts[str(YB_GROUP)]
    assert "Xã Yên Bình" in yen_binh
    assert "Người dân được hỗ trợ: 3" in yen_binh
    assert "Lượt bắt đầu: 4 · làm xong: 2 · xác nhận 👍: 1" in yen_binh
    assert "3 mở · 2 được nhận · 1 đã xong" in yen_binh
    assert "Bước nhiều người dừng nhất: «Cài ứng dụng mẫu» – Bác mở CH Play" in yen_binh
    province = posts[str(PROVINCE_GROUP)]
    assert "Người dân được hỗ trợ: 5" in province and "xác nhận 👍: <5" in province
    assert await summary.run(next_week, cursor) is None  # already sent this week
    assert len(await group_posts(seeded)) == 2
    quiet = await summary.run(next_week + dt.timedelta(days=7), cursor)
    assert quiet is not None and len(await group_posts(seeded)) == 2  # nothing happened
