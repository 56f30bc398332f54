"""The team inbox in the console: tickets of the signed-in member's units (admins: all), with
the masked context and messages, and claim, reply and close for staff without Telegram.

Who sees what: admins every ticket; a team member the tickets posted to their units' teams;
an editor of a commune also that commune's and its villages'. To act on a ticket one must be
a member of a team it was posted to; an admin (or the commune's editor) who acts becomes a
console member of that team, so the resident is told a name and the claim is theirs.
"""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal, Role
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import fragment, page, redirect
from bot.admin.views_units import entry
from bot.storage import tickets as tk
from bot.storage.teams import MemberRow
from bot.teams.desk import WON
from bot.teams.hours import VIETNAM
from bot.teams.messages import context_text
from bot.teams.team_inbox import EVERY_STATUS, TeamInbox, TicketView

TABS = {"waiting": ("Đang chờ", (tk.ASKING, tk.OPEN)), "claimed": ("Đã nhận", (tk.CLAIMED,)),
        "closed": ("Đã xong", (tk.CLOSED, tk.NO_TEAM)), "all": ("Tất cả", EVERY_STATUS)}
STATUS_LABELS = {tk.ASKING: "hỏi xã/phường", tk.OPEN: "đang chờ", tk.CLAIMED: "đã nhận",
                 tk.CLOSED: "đã xong", tk.NO_TEAM: "không có tổ"}
SENDERS = {"resident": "Người dân", "member": "Tổ", "system": "Hệ thống"}


def _time(moment: dt.datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m %H:%M") if moment else "—"


def inbox_routes(admin: Admin) -> list[BaseRoute]:
    services = admin.services

    def inbox() -> TeamInbox:
        return services.team_inbox

    async def scope(principal: Principal) -> list[str] | None:
        if principal.can(Permission.manage_accounts):
            return None
        units = {m.unit_id for m in await inbox().members_of(principal.account_id)}
        if principal.role is Role.editor and principal.commune:
            units |= {principal.commune, *(u.id for u in
                                          services.registry.directory.children(principal.commune))}
        return sorted(units)

    async def acting(principal: Principal, view: TicketView) -> MemberRow | None:
        ticket = view.ticket
        units = {u for u in (ticket.team_unit, *(p.unit_id for p in view.posts)) if u}
        mine = [m for m in await inbox().members_of(principal.account_id) if m.unit_id in units]
        if mine:
            return mine[0]
        commune = services.registry.directory.commune_of(ticket.team_unit)
        allowed = principal.can(Permission.manage_accounts) or (
            commune is not None and principal.can(Permission.edit_commune, commune.id))
        if not allowed or ticket.team_unit is None:
            return None
        return await inbox().add_console_member(
            ticket.team_unit, principal.account_id, principal.login,
            audit=entry(principal, "team.member_added", ticket.team_unit,
                        account=principal.login))

    @admin_route(admin, page=True)
    async def listing(request: Request, principal: Principal) -> Response:
        tab = request.query_params.get("tab", "waiting")
        tab = tab if tab in TABS else "waiting"
        units = await scope(principal)
        tickets = await inbox().tickets(units, TABS[tab][1]) if units != [] else []
        directory = services.registry.directory
        return page(request, "inbox.html", principal, tickets=tickets, tab=tab, tabs=TABS,
                    statuses=STATUS_LABELS, when=_time, label=directory.label,
                    no_units=units == [])

    async def ticket_view(request: Request, principal: Principal) -> TicketView | None:
        return await inbox().ticket(int(request.path_params["ticket_id"]), await scope(principal))

    @admin_route(admin, page=True)
    async def detail(request: Request, principal: Principal) -> Response:
        view = await ticket_view(request, principal)
        if view is None:
            return page(request, "message.html", principal, status=404,
                        message="Không có phiếu này, hoặc phiếu không thuộc tổ của bạn.")
        error = ""
        if request.method == "POST":
            error = await act(request, principal, view)
            if not error:
                return redirect(f"/admin/inbox/{view.ticket.id}?ok=saved-commune")
            view = await ticket_view(request, principal) or view
        mine = [m.id for m in await inbox().members_of(principal.account_id)]
        return page(request, "ticket.html", principal, view=view, context=context_text(
            view.ticket.context) if view.ticket.context.get("place") else "",
            statuses=STATUS_LABELS, senders=SENDERS, when=_time, error=error,
            holder=view.ticket.claimed_by in mine, status=400 if error else 200)

    async def act(request: Request, principal: Principal, view: TicketView) -> str:
        form = await request.form()
        action = form.get("action")
        ticket = view.ticket
        member = await acting(principal, view)
        if action == "close" and member is None and principal.can(Permission.manage_accounts):
            done = await inbox().close(ticket.id, None, entry(principal, "ticket.closed",
                                                              str(ticket.id)))
            return "" if done else "Phiếu này đã đóng."
        if member is None:
            return "Bạn không thuộc tổ nhận phiếu này."
        if action == "claim":
            outcome = await inbox().claim(ticket.id, member, entry(
                principal, "ticket.claimed", str(ticket.id)))
            taken = f"{outcome.name or 'Người khác'} đã nhận phiếu này."
            return "" if outcome.kind == WON else taken
        if action == "reply":
            text = form.get("text")
            done = isinstance(text, str) and await inbox().reply(
                ticket.id, member, text, entry(principal, "ticket.replied", str(ticket.id)))
            return "" if done else ("Chỉ người đã nhận phiếu mới trả lời được (và tin không "
                                    "được để trống).")
        if action == "close":
            done = await inbox().close(ticket.id, member, entry(principal, "ticket.closed",
                                                                str(ticket.id)))
            return "" if done else "Chỉ người đã nhận phiếu mới đóng được."
        return "Việc này không có."

    @admin_route(admin, page=True)
    async def messages(request: Request, principal: Principal) -> Response:
        view = await ticket_view(request, principal)
        if view is None:
            return Response("", status_code=404)
        return fragment("_ticket_messages.html", view=view, senders=SENDERS, when=_time)

    return [
        Route("/inbox", listing),
        Route("/inbox/{ticket_id:int}", detail, methods=["GET", "POST"]),
        Route("/inbox/{ticket_id:int}/messages", messages),
    ]
