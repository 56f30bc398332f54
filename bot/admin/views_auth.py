"""Sign-in and sign-out pages, and the one-time link that sets a password."""

from __future__ import annotations

import datetime as dt
import math

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import AccountError, Locked, Principal, SignInFailed
from bot.admin.auth import (
    COOKIE,
    admin_route,
    clear_session_cookie,
    client_address,
    set_session_cookie,
)
from bot.admin.context import Admin
from bot.admin.render import page, redirect


def _next(value: object) -> str:
    """Only a path inside the console: never an open redirect."""
    target = value if isinstance(value, str) else ""
    return target if target.startswith("/admin") and not target.startswith("//") else "/admin"


def failures_notice(failed: int, addresses: int) -> str:
    """What the owner is told after signing in when someone tried their login meanwhile."""
    return (f"Từ lần đăng nhập trước, đã có {failed} lần nhập sai mật khẩu vào tài khoản này "
            f"từ {addresses} địa chỉ mạng.")


def wait_text(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return f"Đăng nhập sai nhiều lần: hãy thử lại sau {minutes} phút."


def auth_routes(admin: Admin) -> list[BaseRoute]:
    accounts = admin.services.accounts

    async def login(request: Request) -> Response:
        if request.method == "GET":
            if await accounts.principal(request.cookies.get(COOKIE)):
                return redirect(_next(request.query_params.get("next")))
            return page(request, "login.html", None, next=request.query_params.get("next", ""))
        form = await request.form()
        user, password, target = form.get("login"), form.get("password"), form.get("next")
        if not isinstance(user, str) or not isinstance(password, str):
            return page(request, "login.html", None, status=400, error="Hãy nhập đủ.")
        try:
            signed = await accounts.sign_in(user, password, client_address(request))
        except Locked as exc:
            return page(request, "login.html", None, status=429, login=user, next=target,
                        error=wait_text(exc.until, accounts.clock.now()))
        except SignInFailed:
            return page(request, "login.html", None, status=401, login=user, next=target,
                        error="Sai tên đăng nhập hoặc mật khẩu.")
        response: Response = redirect(_next(target))
        if signed.failed_since:
            response = page(request, "signin_notice.html", signed.principal,
                            target=_next(target),
                            notice=failures_notice(signed.failed_since, signed.failed_addresses))
        set_session_cookie(admin, request, response, signed.token)
        return response

    @admin_route(admin, page=True)
    async def logout(request: Request, principal: Principal) -> Response:
        await accounts.sign_out(principal)
        response = redirect("/admin/login")
        clear_session_cookie(response)
        return response

    async def link(request: Request) -> Response:
        token = request.path_params["token"]
        account = await accounts.link_account(token)
        if request.method == "GET" or account is None:
            return page(request, "link.html", None, account=account,
                        status=200 if account else 410)
        form = await request.form()
        password, again = form.get("password"), form.get("again")
        if not isinstance(password, str) or password != again:
            return page(request, "link.html", None, account=account, status=400,
                        error="Hai lần nhập mật khẩu không khớp.")
        try:
            signed = await accounts.redeem_link(token, password)
        except AccountError as exc:
            return page(request, "link.html", None, account=account, status=400,
                        error=str(exc))
        response = redirect("/admin")
        set_session_cookie(admin, request, response, signed.token)
        return response

    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/link/{token}", link, methods=["GET", "POST"]),
    ]
