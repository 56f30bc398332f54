"""Sessions and CSRF for console routes: one decorator any route reuses.

``@admin_route(admin, Permission.edit_guides)`` turns ``handler(request, principal)`` into a
Starlette endpoint that answers 401 without a valid session (pages: a redirect to the sign-in
page), 403 when a state-changing request lacks the session's CSRF token (header
``X-CSRF-Token`` or form field ``csrf_token``), and 403 when the role may not. A service that
raises :class:`~bot.accounts.Forbidden` (e.g. another commune's details) also gives 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.accounts import Forbidden, Permission, Principal
from bot.accounts.service import SESSION_TTL
from bot.admin.context import Admin

COOKIE = "dg_admin"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[Request, Principal], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def client_address(request: Request) -> str:
    """The address sign-in throttles count by (a proxy's header is resolved by uvicorn)."""
    return request.client.host if request.client else "unknown"


def set_session_cookie(admin: Admin, request: Request, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=int(SESSION_TTL.total_seconds()), path="/admin",
                        httponly=True, samesite="lax",
                        secure=admin.secure_cookies or request.url.scheme == "https")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/admin")


async def csrf_ok(request: Request, principal: Principal) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # cached by Starlette: the handler reads it again
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    return sent is not None and hmac.compare_digest(sent.encode(), principal.csrf_token.encode())


def _refuse(page: bool, status: int, message: str) -> Response:
    if page:
        return Response(f"{status}: {message}", status_code=status,
                        media_type="text/plain; charset=utf-8")
    return JSONResponse({"error": message}, status_code=status)


def admin_route(admin: Admin, permission: Permission | None = None, *, page: bool = False
                ) -> Callable[[Handler], Endpoint]:
    def wrap(handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            principal = await admin.services.accounts.principal(request.cookies.get(COOKIE))
            if principal is None:
                if page and request.method in SAFE_METHODS:
                    target = quote(request.url.path + (f"?{request.url.query}"
                                                       if request.url.query else ""))
                    return RedirectResponse(f"/admin/login?next={target}", status_code=303)
                return _refuse(page, 401, "Bạn cần đăng nhập.")
            if request.method not in SAFE_METHODS and not await csrf_ok(request, principal):
                return _refuse(page, 403, "Thiếu hoặc sai mã CSRF; hãy tải lại trang.")
            if permission is not None and not principal.can(permission):
                return _refuse(page, 403, "Vai trò của bạn không được làm việc này.")
            try:
                return await handler(request, principal)
            except Forbidden:
                return _refuse(page, 403, "Vai trò của bạn không được làm việc này.")

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap
