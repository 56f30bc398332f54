"""The announcements API's edges: roles, CSRF, a member's proposal an editor approves, another
commune's editor refused, and bad input answered in Vietnamese with a 4xx, never a 500."""

from __future__ import annotations

from bot.clock import ManualClock
from tests.announcements.conftest import PASSWORD, HangingBotAPI, town
from tests.zalo.fake_zalo import FakeZalo


async def test_roles_csrf_proposals_and_bad_input(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        accounts = t.runtime.console.accounts
        await accounts.create_user("member", "team_member", password=PASSWORD)
        anonymous = await t.http.post("/admin/api/announcements",
                                      json={"unit_id": "yen_binh", "text": "x"})
        assert anonymous.status_code == 401
        signed = await t.http.post("/admin/api/login",
                                   json={"login": "yb_editor", "password": PASSWORD})
        assert signed.status_code == 200
        no_csrf = await t.http.post("/admin/api/announcements",
                                    json={"unit_id": "yen_binh", "text": "Tin của tổ."})
        assert no_csrf.status_code == 403

        for body, status, words in [
            ({"text": "Tin."}, 400, "đơn vị"),
            ({"unit_id": "khong_co", "text": "Tin."}, 404, "Không có đơn vị"),
            ({"unit_id": "yen_binh", "text": "  "}, 400, "nội dung"),
            ({"unit_id": "yen_binh", "text": "Gọi {so_dien_thoai}"}, 400, "chỗ điền"),
            ({"unit_id": "yen_binh", "text": "Số CCCD 001203004567 của bác"}, 400, "OTP"),
            ({"unit_id": "yen_binh", "text": "Tin.", "flow_id": "khong_co"}, 400, "hướng dẫn"),
            ({"unit_id": "yen_binh", "text": "Tin.", "send_at": "thứ bảy"}, 400, "ISO-8601"),
            ({"unit_id": "yen_binh", "text": "Tin.", "include_subunits": "có"}, 400, "true"),
            ({"unit_id": "yen_thanh", "text": "Tin."}, 403, "tổ khác"),
        ]:
            answer = await t.api("POST", "/announcements", **body)
            assert answer.status_code == status, (body, answer.text)
            assert words.lower() in answer.json()["error"].lower(), answer.json()
        bad_json = await t.http.post("/admin/api/announcements", content=b"{",
                                     headers={"X-CSRF-Token": (await t.http.post(
                                         "/admin/api/login", json={"login": "yb_editor",
                                                                   "password": PASSWORD})
                                     ).json()["csrf_token"]})
        assert bad_json.status_code == 400
        assert (await t.api("GET", "/announcements/999")).status_code == 404

        await t.runtime.console.team_inbox.add_console_member(  # type: ignore[union-attr]
            "yen_binh", (await accounts.store.by_login("member")).id, "member")
        proposed = await t.api("POST", "/announcements", login="member", unit_id="yen_binh",
                               text="Chiều nay mất điện, hẹn bác tuần sau.")
        assert proposed.status_code == 201 and proposed.json()["state"] == "proposed"
        number = proposed.json()["id"]
        early = await t.api("POST", f"/announcements/{number}/send", login="yb_editor",
                            confirm_count=0)
        assert early.status_code == 409 and "duyệt" in early.json()["error"]
        by_member = await t.api("POST", f"/announcements/{number}/approve", login="member")
        assert by_member.status_code == 403
        other = await t.api("GET", f"/announcements/{number}", login="yt_editor")
        assert other.status_code == 403
        approved = await t.api("POST", f"/announcements/{number}/approve", login="yb_editor")
        assert approved.status_code == 200 and approved.json()["state"] == "draft"
        missing = await t.api("POST", f"/announcements/{number}/send", login="yb_editor")
        assert missing.status_code == 400 and "confirm_count" in missing.json()["error"]
        sent = await t.api("POST", f"/announcements/{number}/send", login="yb_editor",
                           confirm_count=0)
        assert sent.status_code == 202
        audit = await t.sql("SELECT action, actor FROM audit_log "
                            "WHERE target = 'announcement:" + str(number) + "' ORDER BY id")
        assert [tuple(a) for a in audit] == [("announcement_proposed", "member"),
                                             ("announcement_approved", "yb_editor"),
                                             ("announcement_sent", "yb_editor")]
