"""The learning loop's pages (``/admin/nlu…``): the inbox of messages the assistant did not
understand, training phrases per intent, retraining with old-vs-new figures, activation, and
the active model's quality. Admins and editors; the JSON twin is ``api_nlu``."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import page, redirect
from bot.intents.evaluate import confusion_image
from bot.nluloop.examples import OUT_OF_SCOPE, Invalid
from bot.nluloop.loop import GATE, LearningLoop, NotServing, Refused, SwitchFailed
from bot.nluloop.measure import OUTCOMES
from bot.nluloop.training import Busy, job_json
from bot.nluloop.unanswered import REASONS, NotFound
from bot.teams.hours import VIETNAM

OUTCOME_LABELS = dict(zip(OUTCOMES, ("mở đúng hướng dẫn", "hỏi lại, có lựa chọn đúng",
                                     "hỏi lại, không có lựa chọn đúng", "sai"), strict=True))
ACTIONS = {"assign": "Gán cho ý định", "out_of_scope": "Ngoài phạm vi",
           "keyword": "Thêm làm từ khóa của hướng dẫn", "dismiss": "Bỏ qua"}
STATES = {"running": "đang chạy", "done": "xong", "failed": "lỗi"}
STAGES = {"queued": "chờ", "data": "chuẩn bị dữ liệu", "training": "đang huấn luyện",
          "measuring": "đang đo cũ và mới", "done": "đã đo xong"}


def _stage(stage: str) -> str:
    """``measuring 1/2`` -> ``đang đo cũ và mới (1/2)``."""
    name, _, part = stage.partition(" ")
    label = STAGES.get(name, name)
    return f"{label} ({part})" if part else label

Handler = Callable[[Request, Principal], Awaitable[Response]]


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m %H:%M") if moment else "—"


def _form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def nlu_routes(admin: Admin) -> list[BaseRoute]:
    def loop() -> LearningLoop:
        return admin.services.learning

    def view(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        return admin_route(admin, Permission.improve_nlu, page=True)(handler)

    def problem(request: Request, principal: Principal, message: str, status: int
                ) -> Response:
        return page(request, "message.html", principal, status=status, message=message)

    async def inbox(request: Request, principal: Principal) -> Response:
        error = ""
        if request.method == "POST":
            error = await inbox_action(request, principal)
            if not error:
                return redirect("/admin/nlu?ok=nlu")
        sort = request.query_params.get("sort", "newest")
        guides = await admin.services.flows.summaries()
        return page(request, "nlu_inbox.html", principal, groups=await loop().inbox.groups(sort),
                    sort=sort, intents=loop().book.intents(), actions=ACTIONS, guides=guides,
                    reasons=REASONS, when=_when, error=error, status=400 if error else 200,
                    label=admin.services.registry.directory.label)

    async def inbox_action(request: Request, principal: Principal) -> str:
        form = await request.form()
        action = _form_text(form, "action")
        ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
        if not ids:
            return "Hãy chọn ít nhất một tin."
        box, problems = loop().inbox, []
        for group_id in ids:
            try:
                if action == "assign":
                    await box.assign(principal, group_id, _form_text(form, "intent"))
                elif action == "out_of_scope":
                    await box.assign(principal, group_id, OUT_OF_SCOPE)
                elif action == "keyword":
                    await box.keyword(principal, group_id, _form_text(form, "flow"),
                                      _form_text(form, "words") if len(ids) == 1 else None)
                elif action == "dismiss":
                    await box.dismiss(principal, group_id)
                else:
                    return "Việc này không có."
            except NotFound:
                problems.append(f"#{group_id}: đã được xử lý.")
            except Invalid as exc:
                problems.append(f"#{group_id}: {exc}")
        return " ".join(problems)

    async def intents(request: Request, principal: Principal) -> Response:
        return page(request, "nlu_intents.html", principal,
                    summaries=await loop().book.summaries())

    async def intent(request: Request, principal: Principal) -> Response:
        name = request.path_params["intent"]
        book = loop().book
        if name not in book.repo():
            return problem(request, principal, "Không có ý định này.", 404)
        error = ""
        if request.method == "POST":
            form = await request.form()
            action, test = _form_text(form, "action"), form.get("test") == "1"
            example_id = int(v) if (v := _form_text(form, "id")).isdigit() else 0
            try:
                if action == "add":
                    await book.add(principal, name, _form_text(form, "text"), test=test)
                elif action == "edit":
                    await book.edit(principal, example_id, _form_text(form, "text"), test)
                elif action == "delete":
                    await book.delete(principal, example_id)
            except Invalid as exc:
                error = str(exc)
            if not error:
                return redirect(f"/admin/nlu/intents/{name}?ok=nlu")
        return page(request, "nlu_intent.html", principal, intent=name, error=error,
                    repo=book.repo()[name], console=await book.examples(name),
                    status=400 if error else 200)

    async def models(request: Request, principal: Principal) -> Response:
        if request.method == "POST":
            try:
                job = await loop().trainer.start(principal)
            except Busy:
                return problem(request, principal, "Đang có một lần huấn luyện khác.", 409)
            return redirect(f"/admin/nlu/jobs/{job.id}")
        return page(request, "nlu_models.html", principal, models=await loop().models(),
                    jobs=await loop().jobs(), states=STATES, when=_when)

    async def job(request: Request, principal: Principal) -> Response:
        found = await loop().job(request.path_params["job_id"])
        if found is None:
            return problem(request, principal, "Không có lần huấn luyện này.", 404)
        data = job_json(found)
        old, new = data["old"]["accuracy"], data["new"]["accuracy"]
        drop = old - new if old is not None and new is not None else 0.0
        active = await loop().active_model()
        return page(request, "nlu_job.html", principal, job=found, data=data, states=STATES,
                    result=found.result or {}, gated=drop > GATE, drop=drop * 100,
                    outcome_labels=OUTCOME_LABELS, when=_when, stage=_stage,
                    is_active=active is not None and active.id == found.new_model_id)

    async def activate(request: Request, principal: Principal) -> Response:
        form = await request.form()
        job_id = _form_text(form, "job") or None
        model = _form_text(form, "model")
        try:
            await loop().activate(principal, job_id=job_id,
                                  model_id=int(model) if model.isdigit() else None,
                                  reason=_form_text(form, "reason"))
        except (Refused, Invalid) as exc:
            return problem(request, principal, str(exc), 409)
        except NotFound:
            return problem(request, principal, "Không có mô hình hoặc lần huấn luyện này.", 404)
        except NotServing:
            return problem(request, principal, "Rasa chạy ở nơi khác: không chuyển được mô "
                                               "hình từ trang này.", 409)
        except SwitchFailed:
            return problem(request, principal, "Mô hình mới không khởi động được; mô hình cũ "
                                               "vẫn phục vụ.", 502)
        return redirect("/admin/nlu/quality?ok=nlu")

    async def quality(request: Request, principal: Principal) -> Response:
        active, evaluation = await loop().quality()
        return page(request, "nlu_quality.html", principal, active=active,
                    evaluation=evaluation, outcome_labels=OUTCOME_LABELS, when=_when)

    async def confusion(request: Request, principal: Principal) -> Response:
        active, evaluation = await loop().quality()
        if active is None or not evaluation:
            return Response("", status_code=404)
        fmt = "svg" if request.path_params["fmt"] == "svg" else "png"
        counts = {(gold, guess): count for gold, guess, count in evaluation["pairs"]}
        image = await asyncio.to_thread(confusion_image, counts, active.file, fmt)
        return Response(image, media_type="image/svg+xml" if fmt == "svg" else "image/png",
                        headers={"Cache-Control": "no-store"})

    return [
        Route("/nlu", view(inbox), methods=["GET", "POST"]),
        Route("/nlu/intents", view(intents)),
        Route("/nlu/intents/{intent}", view(intent), methods=["GET", "POST"]),
        Route("/nlu/models", view(models), methods=["GET", "POST"]),
        Route("/nlu/jobs/{job_id}", view(job)),
        Route("/nlu/activate", view(activate), methods=["POST"]),
        Route("/nlu/quality", view(quality)),
        Route("/nlu/quality/confusion.{fmt:str}", view(confusion)),
    ]
