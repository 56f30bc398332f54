"""The results API and pages: the contract, role scoping, the "<5" rule, CSV, bad input."""

from __future__ import annotations

import csv
import io

import pytest

from tests.reports.conftest import Seeded


async def get_json(s: Seeded, login: str, url: str, status: int = 200) -> dict:  # type: ignore[type-arg]
    async with s.client(login) as client:
        response = await client.get(url)
    assert response.status_code == status, response.text
    data: dict = response.json()  # type: ignore[type-arg]
    return data


async def test_the_contract_for_the_commune_team(seeded: Seeded) -> None:
    data = await get_json(seeded, "yenbinh", "/admin/api/reports/units/yen_binh")
    assert {k: data[k] for k in ("residents_reached", "guides_started", "guides_completed",
                                 "handoffs_opened", "handoffs_resolved", "confirmed")} == {
        "residents_reached": 3, "guides_started": 4, "guides_completed": 2,
        "handoffs_opened": 3, "handoffs_resolved": 1, "confirmed": 1}
    assert data["handoffs_claimed"] == 2 and data["median_minutes_to_claim"] == 15.0
    assert data["completion_rate"] == 0.5
    assert data["funnels"]["demo_install"] == [
        {"step_id": "prepare", "reached": 3, "stuck": 0, "biggest_loss": False},
        {"step_id": "choose_phone", "reached": 3, "stuck": 0, "biggest_loss": False},
        {"step_id": "android_store", "reached": 3, "stuck": 1, "biggest_loss": True},
        {"step_id": "open_app", "reached": 2, "stuck": 0, "biggest_loss": False},
        {"step_id": "done", "reached": 2, "stuck": 0, "biggest_loss": False}]
    assert data["members"] == [{"name": "Minh", "unit": "Xã Yên Bình", "started": 2,
                                "finished": 1}]
    assert [q["text"] for q in data["top_unanswered"]] == ["đổi sim ở đâu", "hỏi riêng"]
    village = await get_json(seeded, "yenbinh", "/admin/api/reports/units/thon_dong")
    assert (village["residents_reached"], village["guides_completed"]) == (1, 1)  # exact


async def test_outside_the_team_small_cells_are_hidden(seeded: Seeded) -> None:
    for login in ("admin", "editor"):
        data = await get_json(seeded, login, "/admin/api/reports/units/yen_binh")
        assert data["exact"] is False
        assert (data["residents_reached"], data["guides_started"], data["confirmed"]) == \
            ("<5", "<5", "<5")
        assert data["completion_rate"] is None and data["median_minutes_to_claim"] is None
        assert data["handoffs_opened"] == "<5"
        assert data["funnels"]["demo_install"][0]["reached"] == "<5"
        assert data["top_unanswered"] == [{"text": "đổi sim ở đâu", "residents": 6}]
    province = await get_json(seeded, "admin", "/admin/api/reports/units/lao_cai")
    # 6 started = 5 of one guide + 1 of the other: the 6 is withheld, or the 1 would show
    assert (province["residents_reached"], province["guides_started"]) == (5, "—")
    assert province["guides"]["demo_other"]["guides_started"] == "<5"
    assert province["guides_completed"] == "<5" and province["confirmed"] == "<5"
    assert province["funnels"]["demo_install"][0] == {  # 5, but it would give the 1 away
        "step_id": "prepare", "reached": "—", "stuck": 0, "biggest_loss": True}


async def test_roles_see_their_unit_and_below(seeded: Seeded) -> None:
    await get_json(seeded, "yenthanh", "/admin/api/reports/units/yen_binh", 403)
    await get_json(seeded, "yenthanh", "/admin/api/reports/units/lao_cai", 403)
    own = await get_json(seeded, "yenthanh", "/admin/api/reports/units/yen_thanh")
    assert own["guides_started"] == 1 and own["exact"] is True
    await get_json(seeded, "ybeditor", "/admin/api/reports/units/thon_dong")
    await get_json(seeded, "ybeditor", "/admin/api/reports/units/yen_thanh", 403)
    await get_json(seeded, "lonely", "/admin/api/reports/units/yen_binh", 403)
    await get_json(seeded, "admin", "/admin/api/reports/units/yen_thanh")
    async with seeded.client("yenthanh") as client:
        page = await client.get("/admin/reports?unit=yen_binh")
        assert page.status_code == 403
        page = await client.get("/admin/reports")  # opens on the team's own unit
        assert page.status_code == 200 and "Xã Yên Thành" in page.text
        assert "Xã Yên Bình" not in page.text


@pytest.mark.parametrize(("url", "status"), [
    ("/admin/api/reports/units/yen_binh?from=2026-13-01&to=2026-12-31", 400),
    ("/admin/api/reports/units/yen_binh?from=yesterday", 400),
    ("/admin/api/reports/units/yen_binh?from=2026-12-02&to=2026-12-01", 400),
    ("/admin/api/reports/units/nowhere", 404),
    ("/admin/api/handouts/nothing.pdf?unit=yen_binh", 404),
    ("/admin/api/handouts/demo_install.pdf?unit=nowhere", 404),
    ("/admin/api/handouts/demo_install.pdf?unit=yen_binh&size=a0", 400),
    ("/admin/api/handouts/demo_install.pdf?unit=yen_binh&member=x1", 400),
    ("/admin/api/handouts/demo_install.pdf?unit=yen_binh&member=999", 404),
])
async def test_bad_input_is_a_clear_4xx(seeded: Seeded, url: str, status: int) -> None:
    data = await get_json(seeded, "admin", url, status)
    assert isinstance(data["error"], str) and data["error"]


async def test_a_handout_needs_a_unit_when_the_viewer_has_none(seeded: Seeded) -> None:
    data = await get_json(seeded, "lonely", "/admin/api/handouts/demo_install.pdf", 400)
    assert "unit" in data["error"]


async def test_signed_out_is_refused(seeded: Seeded) -> None:
    async with seeded.http() as client:
        response = await client.get("/admin/api/reports/units/yen_binh")
    assert response.status_code == 401


async def test_every_table_as_csv_without_resident_ids(seeded: Seeded) -> None:
    names = ("summary", "guides", "units", "members", "indicators", "funnels", "unanswered")
    async with seeded.client("yenbinh") as client:
        page = await client.get("/admin/reports?unit=yen_binh")
        assert page.status_code == 200
        for name in names:
            assert f"/admin/reports/{name}.csv" in page.text
        tables = {}
        for name in names:
            response = await client.get(f"/admin/reports/{name}.csv?unit=yen_binh")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            tables[name] = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
        image = await client.get("/admin/reports/funnels/demo_install.png?unit=yen_binh")
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert ["Người dân được hỗ trợ", "3"] in tables["summary"]
    assert tables["funnels"][3][:4] == ["demo_install", "3", "Bác mở CH Play, tìm \"Demo\" rồi "
                                        "bấm Cài đặt.", "3"]
    assert tables["funnels"][3][-1] == "✔"
    everything = "\n".join(",".join(row) for rows in tables.values() for row in rows)
    runtime = seeded.runtime
    async with runtime.database.engine.connect() as conn:
        from sqlalchemy import text

        ids = [str(r[0]) for r in await conn.execute(text("select id from residents"))]
        users = [str(r[0]) for r in await conn.execute(text("select external_id from residents"))]
    for value in users:
        assert value not in everything
    assert "resident" not in everything.lower()
    assert ids  # the ids are numbers: no column of the tables holds them
    assert all(len(rows[0]) == len(set(rows[0])) for rows in tables.values())


async def test_notices_and_weekly_summaries_are_turned_off_in_the_console(
        seeded: Seeded) -> None:
    reports = seeded.runtime.reports
    minh = seeded.minh.id
    async with seeded.client("yenbinh") as client:
        page = await client.get(f"/admin/share?unit=yen_binh&member={minh}")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        url = f"/admin/share/choices?unit=yen_binh&member={minh}"
        done = await client.post(url, data={"csrf_token": csrf, "what": "notices", "on": "0"})
        assert done.status_code == 303
        await client.post(url, data={"csrf_token": csrf, "what": "weekly", "on": "0"})
        refused = await client.post(url, data={"what": "weekly", "on": "1"})  # no CSRF token
        assert refused.status_code == 403
        other = await client.post("/admin/share/choices?unit=yen_thanh",
                                  data={"csrf_token": csrf, "what": "weekly", "on": "0"})
        assert other.status_code == 403
    assert not await reports.notices_on(minh)
    assert not await reports.weekly_on("yen_binh")
    assert await reports.weekly_on("yen_thanh")
