"""Reading what a results or handout request asks for, checked against who asks."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from bot.accounts import Principal
from bot.admin.context import Admin
from bot.reports.access import Viewer
from bot.reports.results import BadPeriod, Period
from bot.reports.service import Reports
from bot.teams.hours import VIETNAM

SIZES = ("a4", "a6")


class BadInput(Exception):
    """A request the service cannot answer: ``status`` and a message for people."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Asked:
    reports: Reports
    viewer: Viewer
    unit_id: str | None  # None: everything (only for a viewer who sees everything)
    member: int | None = None


def reports_of(admin: Admin) -> Reports:
    return admin.services.reports


async def asked(admin: Admin, request: Request, principal: Principal,
                unit_id: str | None = None, *, need_unit: bool = False) -> Asked:
    """The unit (path or ``?unit=``, else the viewer's own) and member a request names."""
    reports = reports_of(admin)
    viewer = await reports.viewer(principal)
    directory = reports.registry.directory
    unit = unit_id or request.query_params.get("unit") or None
    if unit is None:
        unit = viewer.home(directory)
        if unit is None and (need_unit or not viewer.sees_all):
            raise BadInput(400, "choose a unit: ?unit=<unit_id>")
    if unit is not None:
        if not directory.knows(unit):
            raise BadInput(404, f"unknown unit: {unit[:40]}")
        if not viewer.may_see(directory, unit):
            raise BadInput(403, "this unit's results belong to another team")
    member = await _member(reports, viewer, request.query_params.get("member"))
    return Asked(reports, viewer, unit, member)


async def _member(reports: Reports, viewer: Viewer, raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise BadInput(400, "member must be a member's number")
    found = await reports.member(int(raw))
    if found is None:
        raise BadInput(404, "unknown member")
    if not viewer.may_see(reports.registry.directory, found.unit_id):
        raise BadInput(403, "this member belongs to another team")
    return found.id


def period_of(request: Request, reports: Reports) -> Period:
    today = reports.clock.now().astimezone(VIETNAM).date()
    try:
        return Period.parse(request.query_params.get("from"), request.query_params.get("to"),
                            today)
    except BadPeriod as exc:
        raise BadInput(400, str(exc)) from None


def size_of(request: Request) -> str:
    size = request.query_params.get("size", "a4").lower()
    if size not in SIZES:
        raise BadInput(400, "size must be a4 or a6")
    return size


def guide_of(reports: Reports, flow_id: str) -> str:
    if flow_id not in reports.catalog().flows:
        raise BadInput(404, f"unknown guide: {flow_id[:40]}")
    return flow_id
