"""Proposals (team members propose, editors decide), accounts and the audit log (the units and
teams pages are ``views_units``)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import AccountError, Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import page, redirect
from bot.flows.images import MAX_BYTES, ImageError
from bot.flows.proposals import REASONS, NewProposal, ProposalError
from bot.flows.service import Conflict, Invalid


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def team_routes(admin: Admin) -> list[BaseRoute]:
    services = admin.services
    proposals = services.proposals

    @admin_route(admin, Permission.propose, page=True)
    async def propose(request: Request, principal: Principal) -> Response:
        flow_id, step_id = request.path_params["flow_id"], request.path_params["step_id"]
        detail = await services.flows.detail(flow_id)
        step = next((s for s in detail.latest.document.get("steps", [])
                     if s.get("id") == step_id), None)
        if request.method == "GET" or step is None:
            return page(request, "propose.html", principal, detail=detail, step=step,
                        reasons=REASONS, status=200 if step else 404)
        form = await request.form()
        screenshot = None
        upload = form.get("screenshot")
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                screenshot = await services.images.upload(principal,
                                                          await upload.read(MAX_BYTES + 1))
            await proposals.propose(principal, NewProposal(
                flow_id, step_id, _str(form.get("reason")), _str(form.get("text")) or None,
                _str(form.get("note")), screenshot))
        except (ProposalError, ImageError) as exc:
            return page(request, "propose.html", principal, detail=detail, step=step,
                        reasons=REASONS, status=400, error=str(exc))
        return redirect("/admin/proposals?ok=proposed")

    @admin_route(admin, Permission.propose, page=True)
    async def listing(request: Request, principal: Principal) -> Response:
        editor = principal.can(Permission.edit_guides)
        queue = await proposals.queue(principal) if editor else []
        decided = await proposals.decided(principal) if editor else []
        return page(request, "proposals.html", principal, queue=queue, decided=decided,
                    mine=await proposals.mine(principal), reasons=REASONS,
                    current={p.id: await _current_text(p.flow_id, p.step_id) for p in queue})

    async def _current_text(flow_id: str, step_id: str) -> str:
        document = (await services.flows.detail(flow_id)).latest.document
        step = next((s for s in document.get("steps", []) if s.get("id") == step_id), None)
        return str(step.get("text", "")) if step else ""

    @admin_route(admin, Permission.edit_guides, page=True)
    async def decide(request: Request, principal: Principal) -> Response:
        proposal_id = int(request.path_params["proposal_id"])
        form = await request.form()
        reply = _str(form.get("reply"))
        try:
            if request.path_params["verdict"] == "accept":
                version = await proposals.accept(principal, proposal_id,
                                                 text=_str(form.get("text")) or None,
                                                 reply=reply)
                proposal = await proposals.get(proposal_id)
                if version is not None:
                    return redirect(f"/admin/flows/{proposal.flow_id}?ok=saved-{version}")
            else:
                await proposals.reject(principal, proposal_id, reply)
        except (ProposalError, Conflict) as exc:
            return page(request, "message.html", principal, status=409, message=str(exc))
        except Invalid as exc:
            return page(request, "message.html", principal, status=422,
                        message="; ".join(e.message for e in exc.errors))
        return redirect("/admin/proposals?ok=decided")

    @admin_route(admin, Permission.propose, page=True)
    async def upload(request: Request, principal: Principal) -> Response:
        image = await services.images.get(request.path_params["name"])
        if image is None:
            return Response("not found", status_code=404)
        return Response(image.data, media_type=image.content_type,
                        headers={"Cache-Control": "private, max-age=86400"})

    @admin_route(admin, Permission.manage_accounts, page=True)
    async def accounts(request: Request, principal: Principal) -> Response:
        message, link = "", ""
        if request.method == "POST":
            form = await request.form()
            action, login = _str(form.get("action")), _str(form.get("login"))
            try:
                if action == "create":
                    await services.accounts.create_user(
                        login, _str(form.get("role")), commune=_str(form.get("commune")) or None,
                        actor=principal)
                    action = "link"
                if action == "link":
                    token = await services.accounts.create_signin_link(login, principal)
                    link = f"{request.base_url}admin/link/{token}"
                elif action in ("disable", "enable"):
                    await services.accounts.set_disabled(principal, login, action == "disable")
            except AccountError as exc:
                message = str(exc)
        return page(request, "accounts.html", principal, message=message, link=link,
                    accounts=await services.accounts.accounts(principal),
                    status=400 if message else 200)

    @admin_route(admin, Permission.read_audit, page=True)
    async def audit(request: Request, principal: Principal) -> Response:
        before = request.query_params.get("before", "")
        entries = await services.accounts.audit_entries(
            principal, limit=100, before_id=int(before) if before.isdigit() else None,
            action=request.query_params.get("action") or None)
        chain = await services.accounts.verify_audit(principal)
        return page(request, "audit.html", principal, entries=entries, chain=chain)

    return [
        Route("/flows/{flow_id}/steps/{step_id}/propose", propose, methods=["GET", "POST"]),
        Route("/proposals", listing),
        Route("/proposals/{proposal_id:int}/{verdict:str}", decide, methods=["POST"]),
        Route("/uploads/{name}", upload),
        Route("/accounts", accounts, methods=["GET", "POST"]),
        Route("/audit", audit),
    ]
