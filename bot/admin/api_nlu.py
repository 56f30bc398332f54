"""The learning loop's JSON API (``/admin/api/unanswered…``, ``/admin/api/nlu/…``): admins
and editors; a model that measured worse needs an admin and a reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.api import BadRequest, error, json_body
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.nluloop.examples import OUT_OF_SCOPE, Invalid
from bot.nluloop.loop import LearningLoop, NotServing, Refused, SwitchFailed
from bot.nluloop.training import Busy, job_json
from bot.nluloop.unanswered import NotFound
from bot.storage.nlu import ExampleRow, ModelRow

Endpoint = Callable[[Request], Awaitable[Response]]


def example_json(row: ExampleRow) -> dict[str, Any]:
    return {"id": row.id, "intent": row.intent, "text": row.text, "test": row.test,
            "source": row.source, "author": row.author, "created_at": row.created_at.isoformat()}


def model_json(row: ModelRow) -> dict[str, Any]:
    evaluation = row.evaluation or {}
    return {"id": row.id, "file": row.file, "source": row.source, "active": row.active,
            "examples": row.examples, "train_seconds": row.train_seconds,
            "created_by": row.created_by, "created_at": row.created_at.isoformat(),
            "accuracy": evaluation.get("accuracy"), "macro_f1": evaluation.get("macro_f1")}


def _id(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
        raise BadRequest(f"`{name}` must be a positive number")
    return value


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise BadRequest(f"`{name}` must be text")
    return value


def _errors(endpoint: Endpoint) -> Endpoint:
    """The loop's exceptions as the contract's 4xx answers (never a traceback)."""
    async def handle(request: Request) -> Response:
        try:
            return await endpoint(request)
        except BadRequest as exc:
            return error(400, str(exc))
        except Invalid as exc:
            return error(400, str(exc))
        except NotFound:
            return error(404, "not found")
        except Refused as exc:
            return error(409, str(exc), gate=True, old_accuracy=exc.old, new_accuracy=exc.new)
        except NotServing:
            return error(409, "Rasa chạy ở nơi khác (RASA_URL) hoặc chưa chạy: không chuyển "
                              "được mô hình từ trang quản trị.", serving=False)
        except Busy:
            return error(409, "Đang có một lần huấn luyện khác.")
        except SwitchFailed:
            return error(502, "Mô hình mới không khởi động được; mô hình cũ vẫn phục vụ.")

    handle.__name__ = getattr(endpoint, "__name__", "endpoint")
    return handle


def nlu_api_routes(admin: Admin) -> list[BaseRoute]:
    def loop() -> LearningLoop:
        return admin.services.learning

    def guarded(handler: Callable[[Request, Principal], Awaitable[Response]]) -> Endpoint:
        return _errors(admin_route(admin, Permission.improve_nlu)(handler))

    async def unanswered(request: Request, principal: Principal) -> Response:
        groups = await loop().inbox.groups(request.query_params.get("sort", "newest"))
        return JSONResponse([g.to_json() for g in groups])

    async def act(request: Request, principal: Principal) -> Response:
        group_id = int(request.path_params["group_id"])
        action = request.path_params["action"]
        data = await json_body(request) if await request.body() else {}
        inbox = loop().inbox
        if action == "assign":
            group = await inbox.assign(principal, group_id, data.get("intent"))
        elif action == "out-of-scope":
            group = await inbox.assign(principal, group_id, OUT_OF_SCOPE)
        elif action == "keyword":
            group = await inbox.keyword(principal, group_id, _text(data, "flow"),
                                        _text(data, "words"))
        elif action == "dismiss":
            group = await inbox.dismiss(principal, group_id)
        else:
            raise NotFound(action)
        return JSONResponse({"ok": True, "id": group.id, "messages": group.count})

    async def examples(request: Request, principal: Principal) -> Response:
        book = loop().book
        if request.method == "POST":
            data = await json_body(request)
            new_id = await book.add(principal, data.get("intent"), data.get("text"),
                                    test=data.get("test") is True)
            return JSONResponse({"id": new_id}, status_code=201)
        intent = request.query_params.get("intent")
        return JSONResponse({"repository": book.repo().get(intent, []) if intent else None,
                             "console": [example_json(e) for e in
                                         await book.examples(intent)]})

    async def example(request: Request, principal: Principal) -> Response:
        example_id = int(request.path_params["example_id"])
        book = loop().book
        if request.method == "DELETE":
            done = await book.delete(principal, example_id)
        else:
            data = await json_body(request)
            done = await book.edit(principal, example_id, data.get("text"),
                                   data.get("test") is True)
        if not done:
            raise NotFound(example_id)
        return JSONResponse({"ok": True})

    async def train(request: Request, principal: Principal) -> Response:
        job = await loop().trainer.start(principal)
        return JSONResponse({"job": job.id}, status_code=202)

    async def job(request: Request, principal: Principal) -> Response:
        found = await loop().job(request.path_params["job_id"])
        if found is None:
            raise NotFound("job")
        return JSONResponse(job_json(found))

    async def activate(request: Request, principal: Principal) -> Response:
        data = await json_body(request)
        job_id, model = data.get("job"), data.get("model")
        if job_id is not None and not isinstance(job_id, str):
            raise BadRequest("`job` must be text")
        model_id = None if model is None else _id(model, "model")
        active = await loop().activate(principal, job_id=job_id, model_id=model_id,
                                       reason=_text(data, "reason"))
        return JSONResponse({"active": active.file, "model": active.id})

    async def models(request: Request, principal: Principal) -> Response:
        return JSONResponse([model_json(m) for m in await loop().models()])

    routes: list[tuple[str, Callable[[Request, Principal], Awaitable[Response]], list[str]]] = [
        ("/unanswered", unanswered, ["GET"]),
        ("/unanswered/{group_id:int}/{action}", act, ["POST"]),
        ("/nlu/examples", examples, ["GET", "POST"]),
        ("/nlu/examples/{example_id:int}", example, ["PUT", "DELETE"]),
        ("/nlu/train", train, ["POST"]),
        ("/nlu/jobs/{job_id}", job, ["GET"]),
        ("/nlu/activate", activate, ["POST"]),
        ("/nlu/models", models, ["GET"]),
    ]
    return [Route(path, guarded(handler), methods=methods) for path, handler, methods in routes]
