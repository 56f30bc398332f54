"""Results and sharing in the console: the role-scoped dashboard (tables, funnel plots, CSV of
every table), members' own links with QR codes, printable handouts (HTML with print CSS, and
PDF through the API), and the choices about notices and weekly summaries."""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.api_reports import pdf_response
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import page, redirect
from bot.admin.reports_input import Asked, BadInput, asked, guide_of, period_of, size_of
from bot.reports import texts
from bot.reports.access import subtree
from bot.reports.export import TABLES, tables, to_csv
from bot.reports.handout import qr_png
from bot.reports.links import NoPublicUrl
from bot.reports.plots import funnel_png
from bot.reports.results import Period, Report
from bot.reports.service import Reports


def _refused(exc: BadInput) -> Response:
    return Response(f"{exc.status}: {exc.message}", status_code=exc.status,
                    media_type="text/plain; charset=utf-8")


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _units(reports: Reports, roots: frozenset[str] | None) -> list[tuple[str, str]]:
    """The units a viewer may pick, each with its label, in tree order."""
    directory = reports.registry.directory
    if roots is None:
        tops = sorted(u.id for u in directory.units.values()
                      if u.parent_id not in directory.units)
    else:
        tops = sorted(r for r in roots if directory.knows(r))
    found: list[tuple[str, str]] = []
    for top in tops:
        for unit_id in subtree(directory, top):
            unit = directory.units[unit_id]
            indent = {"province": "", "commune": "· ", "village": "·· "}.get(unit.level, "")
            found.append((unit_id, indent + unit.name))
    return found


def report_routes(admin: Admin) -> list[BaseRoute]:
    async def _report(request: Request, principal: Principal
                      ) -> tuple[Asked, Period, Report]:
        ask = await asked(admin, request, principal)
        period = period_of(request, ask.reports)
        return ask, period, await ask.reports.results.report(ask.unit_id, period, ask.viewer)

    @admin_route(admin, Permission.read_reports, page=True)
    async def dashboard(request: Request, principal: Principal) -> Response:
        try:
            ask, period, report = await _report(request, principal)
        except BadInput as exc:
            return _refused(exc)
        query = request.url.query
        return page(request, "reports.html", principal, report=report, tables=tables(report),
                    names=TABLES, query=query, units=_units(ask.reports, ask.viewer.roots),
                    period=period, unit_id=ask.unit_id or "")

    @admin_route(admin, Permission.read_reports, page=True)
    async def table_csv(request: Request, principal: Principal) -> Response:
        name = request.path_params["table"]
        if name not in TABLES:
            return _refused(BadInput(404, "unknown table"))
        try:
            ask, period, report = await _report(request, principal)
        except BadInput as exc:
            return _refused(exc)
        where = ask.unit_id or "tinh"
        filename = f"{name}-{where}-{period.first}-{period.last}.csv"
        return Response(to_csv(tables(report)[name]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @admin_route(admin, Permission.read_reports, page=True)
    async def funnel_image(request: Request, principal: Principal) -> Response:
        try:
            ask, _, report = await _report(request, principal)
            flow_id = guide_of(ask.reports, request.path_params["flow_id"])
        except BadInput as exc:
            return _refused(exc)
        steps = report.funnels.get(flow_id, [])
        title = next((t for f, t, _ in report.guides if f == flow_id), flow_id)
        png = funnel_png(f"{title} · {report.unit_name}", steps,
                         [report.step(flow_id, i)[0] for i in range(len(steps))],
                         [report.stuck_share(flow_id, i) for i in range(len(steps))])
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    @admin_route(admin, Permission.read_reports, page=True)
    async def share(request: Request, principal: Principal) -> Response:
        try:
            ask = await asked(admin, request, principal, need_unit=True)
        except BadInput as exc:
            return _refused(exc)
        reports, unit_id = ask.reports, ask.unit_id
        assert unit_id is not None
        try:
            links = [await reports.link(f, unit_id, ask.member) for f in reports.guide_ids()]
        except NoPublicUrl as exc:
            return _refused(BadInput(409, exc.message))
        qr = {link.flow_id: _png(qr_png(link.telegram or link.web, box=4)) for link in links}
        return page(request, "share.html", principal, links=links, qr=qr, unit_id=unit_id,
                    member=ask.member, members=await reports.unit_members(unit_id),
                    units=_units(reports, ask.viewer.roots),
                    notices=await reports.notices_on(ask.member) if ask.member else None,
                    weekly=await reports.weekly_on(unit_id),
                    unit=reports.registry.directory.label(unit_id))

    @admin_route(admin, Permission.read_reports, page=True)
    async def handout_html(request: Request, principal: Principal) -> Response:
        try:
            ask = await asked(admin, request, principal, need_unit=True)
            flow_ids = [guide_of(ask.reports, request.path_params["flow_id"])] \
                if "flow_id" in request.path_params else ask.reports.guide_ids()
            size = size_of(request)
        except BadInput as exc:
            return _refused(exc)
        assert ask.unit_id is not None
        try:
            items = await ask.reports.handouts(flow_ids, ask.unit_id, ask.member)
        except NoPublicUrl as exc:
            return _refused(BadInput(409, exc.message))
        return page(request, "handout.html", principal, items=items, size=size, png=_png,
                    texts=texts)

    @admin_route(admin, Permission.read_reports, page=True)
    async def handout_pdf(request: Request, principal: Principal) -> Response:
        try:
            ask = await asked(admin, request, principal, need_unit=True)
            size = size_of(request)
        except BadInput as exc:
            return _refused(exc)
        assert ask.unit_id is not None
        try:
            data = await ask.reports.handout_pdf(ask.reports.guide_ids(), ask.unit_id,
                                                 size=size, member=ask.member)
        except NoPublicUrl as exc:
            return _refused(BadInput(409, exc.message))
        return pdf_response(data, f"huong-dan-{ask.unit_id}-{size}.pdf")

    @admin_route(admin, Permission.read_reports, page=True)
    async def choose(request: Request, principal: Principal) -> Response:
        form = await request.form()
        what, on = form.get("what"), form.get("on") == "1"
        try:
            ask = await asked(admin, request, principal, need_unit=True)
            if what == "notices" and ask.member is not None:
                await ask.reports.set_notices(ask.member, on)
            elif what == "weekly" and ask.unit_id is not None:
                await ask.reports.set_weekly(ask.unit_id, on)
            else:
                raise BadInput(400, "nothing to change")
        except BadInput as exc:
            return _refused(exc)
        back = f"/admin/share?unit={ask.unit_id}"
        return redirect(back + (f"&member={ask.member}" if ask.member else "") + "&ok=saved")

    return [
        Route("/reports", dashboard),
        Route("/reports/funnels/{flow_id}.png", funnel_image),
        Route("/reports/{table}.csv", table_csv),
        Route("/share", share),
        Route("/share/choices", choose, methods=["POST"]),
        Route("/handouts", handout_html),
        Route("/handouts.pdf", handout_pdf),
        Route("/handouts/{flow_id}", handout_html),
    ]

