"""The teams registry in the console: units and their teams, the Telegram group's link code,
members (console accounts and their Telegram), CSV import and export.

Who may do what: admins everything; an editor of a commune edits that commune, its villages
and their teams, and makes their codes; everyone signed in reads. Every change is audited in
the same transaction (see ``bot/teams/registry.py``).
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import page, redirect
from bot.flows.communes import CommuneError
from bot.storage.audit import AuditEntry
from bot.storage.teams import UnitRow
from bot.teams.registry import JOIN, LINK, RegistryError

MAX_CSV = 5 * 1024 * 1024
TEAM_FIELDS = ("name", "team_name", "team_phone", "hours", "escalate_after")
LEVEL_LABELS = {"province": "Tỉnh/thành phố", "commune": "Xã/phường", "village": "Thôn/tổ dân phố"}


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def entry(principal: Principal, action: str, target: str, **details: object) -> AuditEntry:
    return AuditEntry(principal.account_id, principal.login, action, target, dict(details))


def unit_routes(admin: Admin) -> list[BaseRoute]:
    services = admin.services
    registry = services.registry

    def may_edit(principal: Principal, unit: UnitRow) -> bool:
        """Admins; an editor of the unit's commune (for a village: its commune)."""
        commune = registry.directory.commune_of(unit.id)
        if unit.level == "province" or commune is None:
            return principal.can(Permission.manage_accounts)
        return principal.can(Permission.edit_commune, commune.id)

    @admin_route(admin, page=True)
    async def listing(request: Request, principal: Principal) -> Response:
        error = ""
        if request.method == "POST":  # a new commune (admins)
            form = await request.form()
            try:
                await services.communes.save(principal, _str(form.get("id")), {
                    k: _str(form.get(k)) for k in ("commune", "team_name", "team_phone")},
                    create=True)
                return redirect("/admin/communes?ok=created")
            except CommuneError as exc:
                error = str(exc)
        await registry.refresh()
        directory = registry.directory
        query = request.query_params.get("q", "").strip()[:60]
        if query:
            shown = directory.match(query, limit=50)
        else:
            shown = sorted((u for u in directory.units.values() if u.level != "village"),
                           key=lambda u: (u.level != "province", u.name_key, u.id))
        counts = await services.team_inbox.member_counts()
        villages: dict[str, int] = {}
        for unit in directory.units.values():
            if unit.level == "village" and unit.parent_id:
                villages[unit.parent_id] = villages.get(unit.parent_id, 0) + 1
        return page(request, "communes.html", principal, units=shown[:500], query=query,
                    total=len(directory.units), villages=villages, members=counts,
                    team=directory.team, levels=LEVEL_LABELS, error=error,
                    status=400 if error else 200)

    @admin_route(admin, page=True)
    async def unit_page(request: Request, principal: Principal) -> Response:
        await registry.refresh()
        unit = registry.directory.get(request.path_params["commune_id"])
        if unit is None:
            return page(request, "message.html", principal, status=404,
                        message="Không có đơn vị này.")
        error, code, code_kind = "", "", ""
        if request.method == "POST":
            if not may_edit(principal, unit):
                return Response("403: Vai trò của bạn không được làm việc này.", status_code=403)
            form = await request.form()
            action = _str(form.get("action")) or "save"
            try:
                if action == "save":
                    fields = {k: _str(form.get(k)) for k in TEAM_FIELDS if k in form}
                    fields["name"] = _str(form.get("commune") or form.get("name"))
                    await save(principal, unit, fields)
                    return redirect(f"/admin/communes/{unit.id}?ok=saved-commune")
                if action in ("link_code", "join_code"):
                    kind = LINK if action == "link_code" else JOIN
                    member = _str(form.get("member"))
                    code = await registry.new_code(
                        kind, unit.id, principal.login,
                        member_id=int(member) if member.isdigit() else None,
                        audit=entry(principal, f"team.{kind}_code", unit.id,
                                    member=member or None))
                    code_kind = kind
                elif action == "add_member":
                    error = await add_member(principal, unit, _str(form.get("login")))
                    if not error:
                        return redirect(f"/admin/communes/{unit.id}?ok=saved-commune")
            except (CommuneError, RegistryError) as exc:
                error = str(exc)
        members = await services.team_inbox.members(unit.id)
        directory = registry.directory
        return page(request, "commune.html", principal, unit=unit,
                    parent=directory.get(unit.parent_id), children=directory.children(unit.id),
                    team=directory.team(unit), places=directory.places(unit.id),
                    members=members, may_edit=may_edit(principal, unit), error=error,
                    code=code, code_kind=code_kind, levels=LEVEL_LABELS,
                    status=400 if error else 200)

    async def save(principal: Principal, unit: UnitRow, fields: dict[str, str]) -> None:
        if unit.level == "commune":  # the guides' three details: all required, as before
            await services.communes.save(principal, unit.id, {
                "commune": fields.pop("name", ""), "team_name": fields.pop("team_name", ""),
                "team_phone": fields.pop("team_phone", "")}, more=fields)
            return
        await registry.save_unit(unit.id, fields, entry(principal, "unit.changed", unit.id,
                                                        **fields))

    async def add_member(principal: Principal, unit: UnitRow, login: str) -> str:
        """A console account joins the unit's team (its Telegram can follow by a code): an
        admin adds it; a commune editor invites it, and it joins once it accepts (the team
        sees the unit's exact reports, so nobody is put in it without knowing)."""
        account = await services.accounts.by_login(login.lower())
        if account is None or account.disabled:
            return "Không có tài khoản này (hoặc tài khoản đã bị khóa)."
        if principal.can(Permission.manage_accounts) or account.id == principal.account_id:
            await services.team_inbox.add_console_member(
                unit.id, account.id, account.login,
                audit=entry(principal, "team.member_added", unit.id, account=account.login))
            return ""
        await services.team_inbox.invite(unit.id, account.id, entry(
            principal, "team.member_invited", unit.id, account=account.login))
        return (f"Đã gửi lời mời cho {account.login}: tài khoản này vào tổ khi tự chấp nhận "
                "ở trang /admin/invitations.")

    @admin_route(admin, Permission.manage_accounts, page=True)
    async def import_csv(request: Request, principal: Principal) -> Response:
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return page(request, "message.html", principal, status=400,
                        message="Hãy chọn một tệp CSV.")
        data = await upload.read(MAX_CSV + 1)
        if len(data) > MAX_CSV:
            return page(request, "message.html", principal, status=413,
                        message="Tệp quá lớn (tối đa 5 MB).")
        name = upload.filename[-80:]
        result = await registry.import_csv(name, data, audit=entry(
            principal, "registry.imported", name))
        return page(request, "units_imported.html", principal, result=result, name=name,
                    status=200 if result.counts else 400)

    @admin_route(admin, page=True)
    async def export_csv(request: Request, principal: Principal) -> Response:
        return Response(await registry.export_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="units.csv"'})

    @admin_route(admin, page=True)
    async def invitations(request: Request, principal: Principal) -> Response:
        assert services.team_inbox is not None
        inbox = services.team_inbox
        if request.method == "POST":
            form = await request.form()
            await inbox.answer(int(request.path_params.get("invitation_id", 0)),
                               principal.account_id, principal.login,
                               _str(form.get("action")) == "accept")
            return redirect("/admin/invitations")
        pending = await inbox.invitations(principal.account_id)
        return page(request, "invitations.html", principal, invitations=pending,
                    label=registry.directory.label)

    return [
        Route("/communes", listing, methods=["GET", "POST"]),
        Route("/communes/import", import_csv, methods=["POST"]),
        Route("/units.csv", export_csv),
        Route("/invitations", invitations),
        Route("/invitations/{invitation_id:int}", invitations, methods=["POST"]),
        Route("/communes/{commune_id}", unit_page, methods=["GET", "POST"]),
    ]
