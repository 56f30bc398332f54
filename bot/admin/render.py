"""Rendering pages: one helper so every template gets the signed-in person and CSRF token."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from bot.accounts import Permission, Principal
from bot.admin.context import JINJA
from bot.flowspec.model import PLACEHOLDERS

_FLASH = {"saved": "Đã lưu bản nháp v{n}. Người dân vẫn thấy bản đang dùng cho đến khi xuất bản.",
          "published": "Đã xuất bản v{n}: người dân thấy bản này trong vài giây.",
          "rolled-back": "Đã khôi phục: phiên bản mới v{n} đang được dùng.",
          "unchanged": "Không có thay đổi nào, nên không tạo phiên bản mới.",
          "stale": "Đã có bản nháp mới hơn; hãy xem lại trước khi xuất bản.",
          "proposed": "Đã gửi đề xuất. Người biên tập sẽ trả lời ở đây.",
          "decided": "Đã xử lý đề xuất.", "created": "Đã thêm.", "saved-commune": "Đã lưu."}


def flash_text(code: str) -> str:
    name, _, number = code.rpartition("-") if code[-1:].isdigit() else (code, "", "")
    return _FLASH.get(name, "Đã lưu.").format(n=number)


ROLE_LABELS = {"admin": "Quản trị", "editor": "Biên tập", "team_member": "Thành viên tổ"}


def page(request: Request, template: str, principal: Principal | None, *, status: int = 200,
         **context: Any) -> HTMLResponse:
    html = JINJA.get_template(template).render(
        request=request, me=principal, csrf=principal.csrf_token if principal else "",
        can_edit=bool(principal and principal.can(Permission.edit_guides)),
        is_admin=bool(principal and principal.can(Permission.manage_accounts)),
        can_nlu=bool(principal and principal.can(Permission.improve_nlu)),
        placeholders=sorted(PLACEHOLDERS), role_labels=ROLE_LABELS,
        flash=request.query_params.get("ok", "")[:40], flash_text=flash_text, **context)
    return HTMLResponse(html, status_code=status)


def fragment(template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(JINJA.get_template(template).render(**context), status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
