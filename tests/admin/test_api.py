"""The console's JSON contract: every role x endpoint, CSRF, lockout, the audit log."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from tests.admin.conftest import PASSWORD, Site

FLOW = "vneid_install"
SIGNED_IN = ["member", "yb_editor", "editor", "admin"]


async def fresh_draft_body(site: Site) -> dict[str, Any]:
    detail = await site.runtime.console.flows.detail(FLOW)
    document = dict(detail.latest.document)
    document["summary"] = f"{document['summary']} (v{detail.head.latest_version + 1})"
    return {"base_version": detail.head.latest_version, "document": document}


async def call(site: Site, client: httpx.AsyncClient, csrf: str, name: str) -> int:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if name == "list":
        response = await client.get("/admin/api/flows")
    elif name == "get":
        response = await client.get(f"/admin/api/flows/{FLOW}")
    elif name == "versions":
        response = await client.get(f"/admin/api/flows/{FLOW}/versions")
    elif name == "check":
        response = await client.post(f"/admin/api/flows/{FLOW}/check", headers=headers,
                                     json=await fresh_draft_body(site))
    elif name == "draft":
        response = await client.put(f"/admin/api/flows/{FLOW}/draft", headers=headers,
                                    json=await fresh_draft_body(site))
    elif name == "publish":
        head = (await site.runtime.console.flows.detail(FLOW)).head
        response = await client.post(f"/admin/api/flows/{FLOW}/publish", headers=headers,
                                     json={"version": head.latest_version})
    else:
        response = await client.post(f"/admin/api/flows/{FLOW}/rollback", headers=headers,
                                     json={"version": 1})
    return response.status_code


EXPECTED = {  # who -> status, for each endpoint
    "list": {"anonymous": 401, "member": 200, "yb_editor": 200, "editor": 200, "admin": 200},
    "get": {"anonymous": 401, "member": 200, "yb_editor": 200, "editor": 200, "admin": 200},
    "versions": {"anonymous": 401, "member": 200, "yb_editor": 200, "editor": 200,
                 "admin": 200},
    "check": {"anonymous": 401, "member": 200, "yb_editor": 200, "editor": 200, "admin": 200},
    "draft": {"anonymous": 401, "member": 403, "yb_editor": 403, "editor": 200, "admin": 200},
    "publish": {"anonymous": 401, "member": 403, "yb_editor": 403, "editor": 200,
                "admin": 200},
    "rollback": {"anonymous": 401, "member": 403, "yb_editor": 403, "editor": 200,
                 "admin": 200},
}


@pytest.mark.parametrize("endpoint", list(EXPECTED))
async def test_every_role_on_every_endpoint(site: Site, endpoint: str) -> None:
    found = {}
    for who in ["anonymous", *SIGNED_IN]:
        async with site.client(None if who == "anonymous" else who) as (client, csrf):
            found[who] = await call(site, client, csrf, endpoint)
    assert found == EXPECTED[endpoint]


@pytest.mark.parametrize("endpoint", ["draft", "publish", "rollback", "check"])
async def test_state_changing_calls_need_the_sessions_csrf_token(site: Site,
                                                                 endpoint: str) -> None:
    async with site.client("admin") as (client, csrf), \
            site.client("editor") as (_, other_csrf):
        assert await call(site, client, "", endpoint) == 403
        assert await call(site, client, "not-the-token", endpoint) == 403
        assert await call(site, client, other_csrf, endpoint) == 403  # another session's
        assert await call(site, client, csrf, endpoint) == 200
        logout = await client.post("/admin/api/logout")
        assert logout.status_code == 403
        logout = await client.post("/admin/api/logout", headers={"X-CSRF-Token": csrf})
        assert logout.status_code == 200
        assert await call(site, client, csrf, "list") == 401


async def test_login_contract_and_cookie_flags(site: Site) -> None:
    async with site.http() as client:
        response = await client.post("/admin/api/login",
                                     json={"login": "editor", "password": PASSWORD})
        assert response.status_code == 200 and set(response.json()) >= {"csrf_token"}
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/admin" in cookie
        assert "secure" not in cookie  # plain http on loopback
        wrong = await client.post("/admin/api/login",
                                  json={"login": "editor", "password": "nope nope nope"})
        assert wrong.status_code == 401
        for body in (b"not json", b"[1]", b'{"login": 5}'):
            bad = await client.post("/admin/api/login", content=body)
            assert bad.status_code == 400


async def test_five_failures_make_this_address_wait(site: Site,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with site.http() as client:
        for _ in range(5):
            response = await client.post("/admin/api/login",
                                         json={"login": "editor", "password": "Sai-mat-khau-1"})
            assert response.status_code == 401
        locked = await client.post("/admin/api/login",
                                   json={"login": "editor", "password": PASSWORD})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) == 30
        other = await client.post("/admin/api/login", json={"login": "admin",
                                                             "password": PASSWORD})
        assert other.status_code == 200  # only that login, from this address, waits
    assert "throttled" in caplog.text and "Sai-mat-khau-1" not in caplog.text
    assert PASSWORD not in caplog.text


async def test_contract_shapes(site: Site) -> None:
    async with site.client("editor") as (client, csrf):
        rows = (await client.get("/admin/api/flows")).json()
        assert len(rows) >= 15
        assert all(set(r) == {"id", "title", "published_version", "draft_version"} for r in rows)
        flow = (await client.get(f"/admin/api/flows/{FLOW}")).json()
        assert {"id", "published_version", "draft_version", "document"} <= set(flow)
        assert flow["document"]["id"] == FLOW and flow["draft_version"] is None
        document = flow["document"]
        document["steps"][0]["next"] = "no_such_step"
        invalid = await client.put(f"/admin/api/flows/{FLOW}/draft", headers={
            "X-CSRF-Token": csrf}, json={"base_version": 1, "document": document})
        assert invalid.status_code == 422
        [problem] = invalid.json()["errors"]
        assert problem["path"] == "steps.0.next" and "no_such_step" in problem["message"]
        body = await fresh_draft_body(site)
        saved = await client.put(f"/admin/api/flows/{FLOW}/draft",
                                 headers={"X-CSRF-Token": csrf}, json=body)
        assert saved.json() == {"draft_version": 2}
        stale = await client.put(f"/admin/api/flows/{FLOW}/draft",
                                 headers={"X-CSRF-Token": csrf}, json=body)
        assert stale.status_code == 409 and stale.json()["latest_version"] == 2
        old = await client.post(f"/admin/api/flows/{FLOW}/publish",
                                headers={"X-CSRF-Token": csrf}, json={"version": 1})
        assert old.status_code == 200  # already served: nothing to do
        published = await client.post(f"/admin/api/flows/{FLOW}/publish",
                                      headers={"X-CSRF-Token": csrf}, json={"version": 2})
        assert published.status_code == 200
        versions = (await client.get(f"/admin/api/flows/{FLOW}/versions")).json()
        assert [(v["version"], v["author"], v["published"]) for v in versions] == [
            (2, "editor", True), (1, "flows/", True)]
        assert all(set(v) >= {"version", "author", "created_at", "published"}
                   for v in versions)
        rolled = await client.post(f"/admin/api/flows/{FLOW}/rollback",
                                   headers={"X-CSRF-Token": csrf}, json={"version": 1})
        assert rolled.json() == {"published_version": 3}
        for response in [
            await client.get("/admin/api/flows/nope"),
            await client.post("/admin/api/flows/nope/publish", headers={"X-CSRF-Token": csrf},
                              json={"version": 1}),
        ]:
            assert response.status_code == 404
        for bad in ({"version": "2"}, {"version": True}, {}):
            response = await client.post(f"/admin/api/flows/{FLOW}/publish",
                                         headers={"X-CSRF-Token": csrf}, json=bad)
            assert response.status_code == 400


async def test_disabling_an_account_ends_its_session_at_once(site: Site) -> None:
    async with site.client("editor") as (client, _):
        assert (await client.get("/admin/api/flows")).status_code == 200
        await site.runtime.console.accounts.set_disabled(None, "editor", True)
        assert (await client.get("/admin/api/flows")).status_code == 401


async def test_the_audit_log_records_who_did_what(site: Site) -> None:
    async with site.client("editor") as (client, csrf):
        body = await fresh_draft_body(site)
        await client.put(f"/admin/api/flows/{FLOW}/draft", headers={"X-CSRF-Token": csrf},
                         json={**body, "note": "thử"})
        await client.post(f"/admin/api/flows/{FLOW}/publish", headers={"X-CSRF-Token": csrf},
                          json={"version": 2})
        await client.post(f"/admin/api/flows/{FLOW}/rollback", headers={"X-CSRF-Token": csrf},
                          json={"version": 1})
        assert (await client.get("/admin/audit")).status_code == 403
    async with site.client("admin") as (admin, _):
        page = await admin.get("/admin/audit")
        assert page.status_code == 200 and "flow.rolled_back" in page.text
    signed = await site.runtime.console.accounts.sign_in("admin", PASSWORD)
    entries = [e for _, e in await site.runtime.console.accounts.audit_entries(
        signed.principal)]
    flow_entries = [(e.actor, e.action, e.target, e.details) for e in entries
                    if e.action.startswith("flow.") and e.action != "flow.imported"]
    assert flow_entries == [
        ("editor", "flow.rolled_back", FLOW, {"to": 1}),
        ("editor", "flow.published", FLOW, {"version": 2}),
        ("editor", "flow.draft_saved", FLOW, {"base": 1, "note": "thử"}),
    ]
    actions = {e.action for e in entries}
    assert {"account.created", "flow.imported"} <= actions
    assert actions & {"commune.created", "commune.changed"}
