"""Guides: the list with search, the editor (form and YAML), live checks, save, publish,
the diagram and the preview chat."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.diagram import render_svg
from bot.admin.forms import (
    ACTIONS,
    ENDS,
    ParsedForm,
    errors_by_field,
    form_rows,
    list_text,
    parse_form,
)
from bot.admin.render import fragment, page, redirect
from bot.flows.diff import diff_documents
from bot.flows.images import MAX_BYTES, ImageError
from bot.flows.service import Conflict, Invalid
from bot.flows.validation import FieldError
from bot.flows.yamlio import to_yaml
from bot.flowspec.model import MenuGroup

_UPLOAD = re.compile(r"^steps-(\d+)-upload$")
PREVIEW_KEY = "preview"
END_LABELS = {"": "—", "completed": "completed: xong việc", "pending": "pending: đã làm phần mình, "
              "chờ kết quả", "handoff": "handoff: chuyển cho tổ", "aborted": "aborted: dừng"}


def _int(value: Any, default: int = 0) -> int:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isdigit() and len(text) < 10 else default


def _form_fields(form: FormData) -> dict[str, Any]:
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def flow_routes(admin: Admin) -> list[BaseRoute]:
    services = admin.services
    flows = services.flows

    @admin_route(admin, Permission.read_guides, page=True)
    async def index(request: Request, principal: Principal) -> Response:
        return redirect("/admin/flows")

    @admin_route(admin, Permission.read_guides, page=True)
    async def listing(request: Request, principal: Principal) -> Response:
        query = request.query_params.get("q", "").strip()[:200]
        hits = await flows.search(query) if query else []
        template = "_search.html" if request.headers.get("HX-Request") else "flows.html"
        return page(request, template, principal, rows=await flows.summaries(), query=query,
                    hits=hits)

    async def editor(request: Request, principal: Principal, *, document: dict[str, Any],
                     base: int, errors: list[FieldError], parsed: ParsedForm | None = None,
                     yaml_text: str | None = None, status: int = 200, note: str = ""
                     ) -> Response:
        flow_id = request.path_params["flow_id"]
        detail = await flows.detail(flow_id)
        steps = [str(s.get("id")) for s in detail.latest.document.get("steps", [])]
        field_errors = errors_by_field(errors, parsed)
        error_steps = sorted({int(k.split("-")[1]) for k in field_errors
                              if k.startswith("steps-") and k.split("-")[1].isdigit()})
        return page(request, "flow.html", principal, status=status, detail=detail,
                    document=document, rows=form_rows(document), base=base, note=note,
                    errors=errors, field_errors=field_errors, error_steps=error_steps,
                    opened=error_steps[0] if error_steps else -1,  # one step open at a time
                    yaml_text=yaml_text if yaml_text is not None else to_yaml(document),
                    step_ids=steps, flow_ids=sorted(await flows.known_ids()),
                    actions=ACTIONS, ends=ENDS, end_labels=END_LABELS,
                    groups=[g.value for g in MenuGroup],
                    list_text=lambda name: list_text(document, name),
                    proposals=await services.proposals.open_for(flow_id))

    @admin_route(admin, Permission.read_guides, page=True)
    async def show(request: Request, principal: Principal) -> Response:
        detail = await flows.detail(request.path_params["flow_id"])
        return await editor(request, principal, document=detail.latest.document,
                            base=detail.head.latest_version, errors=[])

    async def _uploads(principal: Principal, form: FormData, fields: dict[str, Any]) -> None:
        for key, value in form.multi_items():
            match = _UPLOAD.match(key)
            if match and isinstance(value, UploadFile) and value.filename:
                data = await value.read(MAX_BYTES + 1)
                fields[f"steps-{match[1]}-image"] = await services.images.upload(principal,
                                                                                 data)

    @admin_route(admin, Permission.read_guides, page=True)
    async def check(request: Request, principal: Principal) -> Response:
        """Live validation while editing: every field's error slot, swapped in by htmx."""
        flow_id = request.path_params["flow_id"]
        form = await request.form()
        fields = _form_fields(form)
        if "yaml" in fields:
            checked = await flows.check_text(flow_id, fields["yaml"])
            return fragment("_yaml_errors.html", errors=checked.errors)
        parsed = parse_form(flow_id, fields)
        checked = await flows.check(flow_id, parsed.document)
        slots = sorted(k for k in fields if k not in ("csrf_token", "base_version", "note"))
        return fragment("_errors_oob.html", errors=checked.errors, slots=slots,
                        field_errors=errors_by_field(checked.errors, parsed))

    @admin_route(admin, Permission.edit_guides, page=True)
    async def save(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        form = await request.form()
        fields = _form_fields(form)
        base, note = _int(fields.get("base_version")), str(fields.get("note", ""))[:500]
        parsed: ParsedForm | None = None
        try:
            await _uploads(principal, form, fields)
            if "yaml" in fields:
                version = await flows.save_yaml(principal, flow_id, base, fields["yaml"], note)
            else:
                parsed = parse_form(flow_id, fields)
                version = await flows.save_draft(principal, flow_id, base, parsed.document, note)
        except ImageError as exc:
            return await editor(request, principal, document=parse_form(flow_id, fields).document,
                                base=base, errors=[FieldError("", 0, str(exc))], status=400,
                                note=note)
        except Invalid as exc:
            document = parsed.document if parsed else (await flows.detail(flow_id)).latest.document
            return await editor(request, principal, document=document, base=base,
                                errors=exc.errors, parsed=parsed, yaml_text=fields.get("yaml"),
                                status=422, note=note)
        except Conflict as exc:
            mine = parsed.document if parsed else None
            return await conflict_page(request, principal, flow_id, base, exc.latest, mine,
                                       fields.get("yaml"), note)
        done = "unchanged" if version == base else f"saved-{version}"
        return redirect(f"/admin/flows/{flow_id}?ok={done}")

    async def conflict_page(request: Request, principal: Principal, flow_id: str, base: int,
                            latest: int, mine: dict[str, Any] | None, mine_yaml: str | None,
                            note: str) -> Response:
        theirs = await flows.version(flow_id, latest)
        original = await flows.version(flow_id, base) if base else theirs
        mine_text = mine_yaml if mine_yaml is not None else to_yaml(mine or {})
        mine_checked = (await flows.check_text(flow_id, mine_text))
        mine_doc = (mine_checked.flow.model_dump(mode="json") if mine_checked.flow
                    else mine or original.document)
        return page(request, "conflict.html", principal, status=409, flow_id=flow_id,
                    base=base, theirs=theirs, note=note, mine_yaml=mine_text,
                    their_diff=diff_documents(original.document, theirs.document),
                    my_diff=diff_documents(original.document, mine_doc))

    @admin_route(admin, Permission.edit_guides, page=True)
    async def publish(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        version = _int((await request.form()).get("version"))
        try:
            await flows.publish(principal, flow_id, version)
        except Invalid as exc:
            detail = await flows.detail(flow_id)
            return await editor(request, principal, document=detail.latest.document,
                                base=detail.head.latest_version, errors=exc.errors, status=422)
        except Conflict:
            return redirect(f"/admin/flows/{flow_id}?ok=stale")
        return redirect(f"/admin/flows/{flow_id}?ok=published-{version}")

    @admin_route(admin, Permission.read_guides, page=True)
    async def diagram(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        version = _int(request.query_params.get("version"))
        found = (await flows.version(flow_id, version) if version
                 else (await flows.detail(flow_id)).latest)
        return Response(render_svg(found.document), media_type="image/svg+xml")

    @admin_route(admin, Permission.read_guides, page=True)
    async def preview(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        form = await request.form()
        version = _int(form.get("version"))
        data = await services.accounts.session_data(principal)
        chats = data.get(PREVIEW_KEY, {})
        key = f"{flow_id}:{version}"
        text, payload = form.get("text"), form.get("payload")
        if isinstance(payload, str) and payload:
            text = None  # a pressed button, not what was left in the text box
        if form.get("restart") or key not in chats:
            chats = {key: {}}  # one preview at a time per session
            text, payload = f"/start {flow_id}", None
        try:
            state, replies = await admin.preview.turn(
                flow_id, version, chats[key],
                text=text if isinstance(text, str) and text.strip() else None,
                payload=payload if isinstance(payload, str) and payload else None)
        except Invalid as exc:
            return fragment("_preview.html", replies=[], invalid=exc.errors, flow_id=flow_id)
        chats[key] = state
        await services.accounts.set_session_data(principal, {**data, PREVIEW_KEY: chats})
        said = text if isinstance(text, str) and not text.startswith("/start") else None
        return fragment("_preview.html", replies=replies, said=said, flow_id=flow_id,
                        invalid=[])

    return [
        Route("/", index),
        Route("/flows", listing),
        Route("/flows/{flow_id}", show),
        Route("/flows/{flow_id}/check", check, methods=["POST"]),
        Route("/flows/{flow_id}/save", save, methods=["POST"]),
        Route("/flows/{flow_id}/publish", publish, methods=["POST"]),
        Route("/flows/{flow_id}/diagram.svg", diagram),
        Route("/flows/{flow_id}/preview", preview, methods=["POST"]),
    ]

