"""Console pages over HTTP: who may see and change what, commune details reaching residents,
and a preview that stores nothing about residents."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.storage.tables import events, residents
from tests.admin.conftest import Site

PAGES = ["/admin/flows", "/admin/flows?q=ch+play", "/admin/flows/vneid_install",
         "/admin/flows/vneid_install/history", "/admin/flows/vneid_install/diff?a=1&b=1",
         "/admin/flows/vneid_install/diagram.svg", "/admin/proposals", "/admin/communes",
         "/admin/communes/yen_binh", "/admin/flows/vneid_install/steps/prepare/propose"]


@pytest.mark.parametrize("login", ["member", "yb_editor", "editor", "admin"])
async def test_every_page_renders_for_every_role(site: Site, login: str) -> None:
    async with site.client(login) as (client, _):
        for path in PAGES:
            response = await client.get(path)
            assert response.status_code == 200, path
        for path in ("/admin/accounts", "/admin/audit"):
            assert (await client.get(path)).status_code == (200 if login == "admin" else 403)
        assert (await client.get("/admin/flows/nope")).status_code == 404
    async with site.client() as (anonymous, _):
        response = await anonymous.get("/admin/flows/vneid_install")
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/login?next=/admin/flows/vneid_install"


async def test_commune_details_are_edited_by_that_communes_editor(site: Site) -> None:
    details = {"commune": "xã Yên Bình", "team_name": "Tổ mới", "team_phone": "0912 345 678"}
    async with site.client("editor") as (client, csrf):
        refused = await client.post("/admin/communes/yen_binh",
                                    data={**details, "csrf_token": csrf})
        assert refused.status_code == 403
    async with site.client("yb_editor") as (client, csrf):
        no_csrf = await client.post("/admin/communes/yen_binh", data=details)
        assert no_csrf.status_code == 403
        saved = await client.post("/admin/communes/yen_binh",
                                  data={**details, "csrf_token": csrf})
        assert saved.status_code == 303
        bad = await client.post("/admin/communes/yen_binh",
                                data={**details, "team_phone": "", "csrf_token": csrf})
        assert bad.status_code == 400 and "Hãy điền đủ" in bad.text
    await site.runtime.live.refresh()
    assert site.runtime.service.communes.places("yen_binh")["team_phone"] == "0912 345 678"


async def test_preview_runs_the_draft_and_writes_nothing_about_residents(site: Site) -> None:
    engine = site.runtime.database.engine

    async def counts() -> tuple[int, int]:
        async with engine.connect() as conn:
            return ((await conn.execute(select(func.count()).select_from(residents))).scalar_one(),
                    (await conn.execute(select(func.count()).select_from(events))).scalar_one())

    before = await counts()
    async with site.client("member") as (client, csrf):
        started = await client.post("/admin/flows/vneid_install/preview",
                                    data={"version": "1", "restart": "1", "csrf_token": csrf})
        assert started.status_code == 200 and "Bước 1/" in started.text
        pressed = await client.post("/admin/flows/vneid_install/preview",
                                    data={"version": "1", "payload": "n:vneid_install.prepare",
                                          "csrf_token": csrf})
        assert "Bước 2/" in pressed.text
        typed = await client.post("/admin/flows/vneid_install/preview",
                                  data={"version": "1", "text": "iphone", "csrf_token": csrf})
        assert typed.status_code == 200 and "Bước 3/" in typed.text
    assert await counts() == before


async def test_live_checks_put_messages_next_to_fields(site: Site) -> None:
    async with site.client("editor") as (client, csrf):
        response = await client.post("/admin/flows/vneid_install/check", data={
            "csrf_token": csrf, "title": "T", "summary": "S", "steps-0-id": "a",
            "steps-0-text": "Một", "steps-0-next": "khong_co", "steps-1-id": "b",
            "steps-1-text": "Hai {xa}", "steps-1-end": "completed"})
        assert response.status_code == 200
        text = response.text
        assert ('id="err-steps-0-next" hx-swap-oob="true">Bước 1 (`a`), «Xong» đến bước: '
                'không có bước `khong_co`') in text
        assert "Bước 2 (`b`), nội dung: không có chỗ điền {xa}" in text  # counted from 1
        yaml = await client.post("/admin/flows/vneid_install/check",
                                 data={"csrf_token": csrf, "yaml": "id: vneid_install\ntitle: ["})
        assert "dòng 2: Sai cú pháp YAML" in yaml.text
