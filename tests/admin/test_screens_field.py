"""The step editor's on-screen texts (``screens:``): shown, checked next to their field."""

from __future__ import annotations

from tests.admin.conftest import Site


async def test_a_steps_screen_texts_are_edited_and_checked(site: Site) -> None:
    async with site.client("editor") as (client, csrf):
        page = await client.get("/admin/flows/vneid_activate")
        assert page.status_code == 200
        assert ">Kích hoạt tài khoản định danh điện tử</textarea>" in page.text
        response = await client.post("/admin/flows/vneid_install/check", data={
            "csrf_token": csrf, "title": "T", "summary": "S", "steps-0-id": "a",
            "steps-0-text": "Một", "steps-0-end": "completed", "steps-0-screens": "Kích hoạt"})
        assert response.status_code == 200
        assert 'id="err-steps-0-screens" hx-swap-oob="true">' in response.text
        field = response.text.split('id="err-steps-0-screens"', 1)[1].split("</", 1)[0]
        assert "three words" in field, field
