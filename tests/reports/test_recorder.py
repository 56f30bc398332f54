"""What one resident's turns count: a branch taken for the resident counts as a step passed,
going back never counts a step twice, a restart is a new run, 👍 counts only after a finish."""

from __future__ import annotations

import datetime as dt

from bot.app import Runtime
from bot.reports.access import Viewer
from bot.reports.results import Period
from bot.teams.hours import VIETNAM
from bot.turn_contract import Incoming


async def say(runtime: Runtime, *, text: str | None = None, payload: str | None = None) -> None:
    await runtime.service.handle(Incoming("web", "r", text=text, payload=payload))


async def test_one_residents_runs(runtime: Runtime) -> None:
    await runtime.registry.import_csv(
        "u.csv", "unit_id,parent_id,level,name\nyen_binh,,commune,Xã Yên Bình\n".encode())
    await say(runtime, text="/start vneid_install-yen_binh")
    await say(runtime, payload="fb:vneid_install:useful")  # not finished: no confirmation
    await say(runtime, payload="n:vneid_install.prepare")
    await say(runtime, payload="s:vneid_install.choose_phone.0")  # Android: a known platform
    await say(runtime, payload="c:back")
    await say(runtime, payload="s:vneid_install.choose_phone.0")  # again: counted once
    await say(runtime, text="/start vssid_install")
    await say(runtime, payload="n:vssid_install.prepare")  # the phone question is skipped
    await say(runtime, text="bắt đầu lại")  # a second run of the same guide
    day = runtime.clock.now().astimezone(VIETNAM).date()
    report = await runtime.reports.results.report(
        "yen_binh", Period(day - dt.timedelta(days=1), day), Viewer(frozenset({"yen_binh"})))
    assert (report.totals.reached, report.totals.started, report.totals.finished,
            report.totals.confirmed) == (1, 3, 0, 0)
    vneid = {s.step_id: s.reached for s in report.funnels["vneid_install"]}
    assert (vneid["prepare"], vneid["choose_phone"], vneid["android_store"]) == (1, 1, 1)
    vssid = {s.step_id: s.reached for s in report.funnels["vssid_install"]}
    assert vssid["prepare"] == 2  # two runs
    assert (vssid["choose_phone"], vssid["android_store"]) == (1, 1)  # passed for them
