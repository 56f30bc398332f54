"""*Thông báo* in the console: write an announcement, preview exactly what each channel
shows and how many residents it reaches, confirm that count a second time and send; then
what happened. A team member's announcement is a proposal an editor approves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal, Role
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import page, redirect
from bot.announcements.input import Problem
from bot.announcements.service import Announcements
from bot.reports.access import cell
from bot.teams.hours import VIETNAM

STATES = {"proposed": "chờ duyệt", "draft": "bản nháp", "scheduled": "đã hẹn giờ",
          "sending": "đang gửi", "sent": "đã gửi"}
CHANNELS = {"web": "Trang web", "telegram": "Telegram", "zalo": "Zalo"}
REASONS = {"zalo_window": "ngoài thời hạn Zalo", "limit": "đã nhận đủ tin trong ngày/tuần",
           "no_channel": "đã chặn hoặc bỏ theo dõi", "web_expired": "không mở trang trong 7 ngày"}


def _when(moment: dt.datetime | str | None) -> str:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y") if moment else "—"


def announcement_routes(admin: Admin) -> list[BaseRoute]:
    def service() -> Announcements:
        assert admin.services.announcements is not None, "the runtime sets announcements"
        return admin.services.announcements

    async def form_data(request: Request) -> dict[str, Any]:
        form = await request.form()
        send_at = str(form.get("send_at") or "").strip()
        return {"unit_id": str(form.get("unit_id") or ""), "text": str(form.get("text") or ""),
                "flow_id": str(form.get("flow_id") or "") or None,
                "send_at": send_at or None,
                "include_subunits": form.get("include_subunits") == "on"}

    async def listing_page(request: Request, principal: Principal, *, status: int = 200,
                           error: str | None = None, values: dict[str, Any] | None = None
                           ) -> Response:
        announcements = service()
        return page(request, "announcements.html", principal, status=status, error=error,
                    rows=await announcements.listing(principal),
                    units=await announcements.units_for(principal),
                    guides=announcements.guides(), values=values or {}, states=STATES,
                    when=_when, label=admin.services.registry.directory.label,
                    proposes=principal.role is Role.team_member)

    @admin_route(admin, Permission.read_reports, page=True)
    async def listing(request: Request, principal: Principal) -> Response:
        return await listing_page(request, principal)

    @admin_route(admin, Permission.propose, page=True)
    async def create(request: Request, principal: Principal) -> Response:
        values = await form_data(request)
        try:
            row = await service().create(principal, values)
        except Problem as exc:
            return await listing_page(request, principal, status=exc.status, error=exc.message,
                                      values=values)
        return redirect(f"/admin/announcements/{row.id}")

    async def detail_page(request: Request, principal: Principal, number: int, *,
                          confirming: bool = False, error: str | None = None,
                          status: int = 200) -> Response:
        announcements = service()
        row = await announcements.get(principal, number)
        preview = await announcements.preview(principal, number) if row.state in (
            "draft", "proposed") else None
        figures = await announcements.status(principal, number)
        viewer = await announcements.viewer_of(principal)
        exact = announcements.exact_for(viewer, row.unit_id)  # the results' "<5" rule
        shown = {key: cell(figures[key], exact) for key in ("opened_guide", "opted_out_after")}
        return page(request, "announcement.html", principal, status=status, row=row,
                    preview=preview, figures=figures, shown=shown, confirming=confirming,
                    error=error, states=STATES, channels=CHANNELS, reasons=REASONS, when=_when,
                    label=admin.services.registry.directory.label,
                    edits=principal.role in (Role.admin, Role.editor))

    def number_of(request: Request) -> int:
        value: int = request.path_params["announcement_id"]
        return value

    @admin_route(admin, Permission.read_reports, page=True)
    async def detail(request: Request, principal: Principal) -> Response:
        try:
            return await detail_page(request, principal, number_of(request))
        except Problem as exc:
            return page(request, "message.html", principal, status=exc.status,
                        message=exc.message)

    @admin_route(admin, Permission.propose, page=True)
    async def act(request: Request, principal: Principal) -> Response:
        number = number_of(request)
        form = await request.form()
        action = form.get("action")
        try:
            if action == "approve":
                await service().approve(principal, number)
            elif action == "confirm":
                return await detail_page(request, principal, number, confirming=True)
            elif action == "send":
                raw = str(form.get("confirm_count") or "")
                count = int(raw) if raw.isdigit() and len(raw) < 9 else -1
                await service().send(principal, number, count)
                return redirect(f"/admin/announcements/{number}?ok=saved")
        except Problem as exc:
            try:
                return await detail_page(request, principal, number, error=exc.message,
                                         status=exc.status)
            except Problem:
                return page(request, "message.html", principal, status=exc.status,
                            message=exc.message)
        return redirect(f"/admin/announcements/{number}")

    @admin_route(admin, Permission.read_reports, page=True)
    async def followups(request: Request, principal: Principal) -> Response:
        found = admin.services.followups
        announcements = service()
        units = await announcements.units_seen(principal)
        table = await found.outcomes(units) if found is not None else {}
        viewer = await announcements.viewer_of(principal)
        exact = viewer.roots is not None and all(
            announcements.exact_for(viewer, unit) for unit in viewer.roots)
        titles = dict(announcements.guides())
        rows = [(titles.get(flow, flow), {k: cell(v, exact) for k, v in counts.items()})
                for flow, counts in sorted(table.items())]
        return page(request, "followups.html", principal, rows=rows)

    return [
        Route("/followups", followups, methods=["GET"]),
        Route("/announcements", listing, methods=["GET"]),
        Route("/announcements", create, methods=["POST"]),
        Route("/announcements/{announcement_id:int}", detail, methods=["GET"]),
        Route("/announcements/{announcement_id:int}", act, methods=["POST"]),
    ]
