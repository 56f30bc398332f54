"""The team inbox in the console: tickets of the signed-in member's units (admins: all), with
the masked context and messages, and claim, reply and close for staff without Telegram.

Who sees and acts on which ticket: see :mod:`bot.admin.ticket_access`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import fragment, page, redirect
from bot.admin.ticket_access import TicketAccess
from bot.admin.views_units import entry
from bot.storage import tickets as tk
from bot.storage.tickets import Ticket
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


def waited(ticket: Ticket, now: dt.datetime) -> str:
    """How long the resident has waited for a person ("12 phút"), while nobody has it."""
    if ticket.status not in (tk.OPEN, tk.ASKING):
        return ""
    minutes = max(0, int((now - ticket.opened_at).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} phút"
    return f"{minutes // 60} giờ {minutes % 60} phút"


def inbox_routes(admin: Admin) -> list[BaseRoute]:
    access = TicketAccess(admin.services)

    def inbox() -> TeamInbox:
        return access.inbox

    scope, acting = access.scope, access.acting

    async def listed(request: Request, principal: Principal) -> dict[str, Any]:
        tab = request.query_params.get("tab", "waiting")
        tab = tab if tab in TABS else "waiting"
        units = await scope(principal)
        tickets = await inbox().tickets(units, TABS[tab][1]) if units != [] else []
        now = access.services.registry.clock.now()
        return {"tickets": tickets, "tab": tab, "statuses": STATUS_LABELS, "when": _time,
                "label": admin.services.registry.directory.label, "no_units": units == [],
                "waited": lambda t: waited(t, now)}

    @admin_route(admin, page=True)
    async def listing(request: Request, principal: Principal) -> Response:
        return page(request, "inbox.html", principal, tabs=TABS,
                    **await listed(request, principal))

    @admin_route(admin, page=True)
    async def rows(request: Request, principal: Principal) -> Response:
        """The table's rows, polled every second: new tickets appear without a reload."""
        return fragment("_inbox_rows.html", **await listed(request, principal))

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
        Route("/inbox/rows", rows),
        Route("/inbox/{ticket_id:int}", detail, methods=["GET", "POST"]),
        Route("/inbox/{ticket_id:int}/messages", messages),
    ]
