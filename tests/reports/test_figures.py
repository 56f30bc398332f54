"""Every figure of the seeded data set (see conftest.py), computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.reports import results as results_module
from bot.reports.access import Viewer
from bot.reports.results import Period
from bot.teams.hours import VIETNAM
from tests.reports.conftest import Seeded


def today(s: Seeded) -> dt.date:
    return s.runtime.clock.now().astimezone(VIETNAM).date()


async def test_the_province_as_a_whole(seeded: Seeded) -> None:
    day = today(seeded)
    report = await seeded.runtime.reports.results.report(
        "lao_cai", Period(day - dt.timedelta(days=1), day), Viewer(None))
    totals = report.totals
    assert (totals.reached, totals.started, totals.finished, totals.confirmed) == (5, 6, 3, 2)
    steps = report.funnels["demo_install"]
    assert [(s.step_id, s.reached) for s in steps] == [
        ("prepare", 5), ("choose_phone", 4), ("android_store", 4), ("open_app", 3),
        ("done", 3)]
    assert [s.biggest for s in steps] == [True, False, False, False, False]  # 5 -> 4 first
    assert [(s.step_id, s.reached) for s in report.funnels["demo_other"]][:1] == [
        (report.funnels["demo_other"][0].step_id, 1)]
    assert [(name, c.reached, c.started, c.finished, c.confirmed)
            for _, name, c in report.units] == [
        ("Xã Yên Bình", 3, 4, 2, 1), ("Xã Yên Thành", 1, 1, 0, 0)]  # r5 is of no unit
    assert report.handoffs.opened == 4 and report.handoffs.claimed == 3
    assert report.handoffs.resolved == 1
    assert report.median_claim_minutes is None  # 3 claimed: too few for an outsider


async def test_a_commune_and_its_village(seeded: Seeded) -> None:
    day = today(seeded)
    report = await seeded.runtime.reports.results.report(
        "yen_binh", Period(day - dt.timedelta(days=1), day), Viewer(frozenset({"yen_binh"})))
    assert report.exact
    totals = report.totals
    assert (totals.reached, totals.started, totals.finished, totals.confirmed) == (3, 4, 2, 1)
    assert report.rate("totals") == 0.5
    steps = report.funnels["demo_install"]
    assert [(s.step_id, s.reached, s.stuck, s.lost) for s in steps] == [
        ("prepare", 3, 0, 0), ("choose_phone", 3, 0, 0), ("android_store", 3, 1, 1),
        ("open_app", 2, 0, 0), ("done", 2, 0, 0)]
    biggest = [s for s in steps if s.biggest]
    assert [s.step_id for s in biggest] == ["android_store"]
    assert round(report.stuck_share("demo_install", 2) or 0, 3) == 0.333
    assert [(n, c.reached, c.started, c.finished) for _, n, c in report.units] == [
        ("Thôn Đông", 1, 1, 1)]
    assert report.members == [("Minh", "Xã Yên Bình", 2, 1)]
    assert (report.handoffs.opened, report.handoffs.claimed, report.handoffs.resolved) == \
        (3, 2, 1)
    assert report.median_claim_minutes == 15.0
    assert report.unanswered == [("đổi sim ở đâu", 6), ("hỏi riêng", 2)]
    assert report.indicators == []  # the test guides map to no indicator


async def test_indicators_count_residents_who_finished_and_confirmed(
        seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    day = today(seeded)
    monkeypatch.setattr(results_module, "INDICATORS",
                        (("Cài ứng dụng", ("demo_install", "demo_other")),))
    report = await seeded.runtime.reports.results.report(
        "lao_cai", Period(day - dt.timedelta(days=1), day), Viewer(None))
    assert report.indicators == [("Cài ứng dụng", 2)]  # r1 and r5; r3 never said 👍


async def test_a_period_without_activity(seeded: Seeded) -> None:
    day = today(seeded) - dt.timedelta(days=40)
    report = await seeded.runtime.reports.results.report(
        "yen_binh", Period(day - dt.timedelta(days=1), day), Viewer(None))
    assert (report.totals.reached, report.totals.started) == (0, 0)
    assert report.funnels == {} and report.handoffs.opened == 0


async def test_an_erased_resident_leaves_only_anonymous_counts(seeded: Seeded) -> None:
    runtime = seeded.runtime
    day = today(seeded)
    period = Period(day - dt.timedelta(days=1), day)
    exported = await runtime.data_rights.store.export("web", "r5")
    assert exported is not None and "guide_runs" in str(exported)
    await runtime.data_rights.erase_reply("web", "r5")
    report = await runtime.reports.results.report("lao_cai", period, Viewer(None))
    assert (report.totals.reached, report.totals.started, report.totals.finished) == (4, 5, 2)
    assert report.funnels["demo_install"][0].reached == 5  # the rollup names nobody
