"""The checks' messages as console users read them: in Vietnamese, naming the step as the
editor shows it ("Bước 4 (`open_app`)", counted from 1), never a path like ``steps.3.next``.

``flows validate`` (the command line) keeps the English messages of ``bot/flowspec``; the
console's service translates each one here by its shape. A message of a shape not listed
keeps its words after the Vietnamese place, so nothing is ever hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

FLOW_FIELDS = {"id": "Mã hướng dẫn", "title": "Tiêu đề", "short_title": "Tên trên nút menu",
               "summary": "Tóm tắt", "menu_order": "Thứ tự", "menu_group": "Nhóm",
               "intents": "Ý định NLU", "keywords": "Từ khóa", "related": "Hướng dẫn liên quan",
               "sources": "Nguồn", "reviewed": "Rà soát ngày", "review_by": "Hạn rà soát lại",
               "version": "Phiên bản định dạng", "steps": "Các bước"}
STEP_FIELDS = {"id": "mã bước", "text": "nội dung", "image": "ảnh", "next": "«Xong» đến bước",
               "end": "kết thúc", "slot": "ghi nhớ (slot)", "side": "nhánh phụ",
               "waits": "phải chờ", "buttons": "nút bấm"}
BUTTON_FIELDS = {"label": "chữ trên nút", "next": "đích (bước)", "flow": "đích (hướng dẫn)",
                 "action": "hành động", "value": "giá trị"}

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, said: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern, re.DOTALL), said


RULES: list[Rule] = [
    _rule(r"^YAML syntax: (.+)$", lambda m: f"Sai cú pháp YAML ({m[1]})"),
    _rule(r"^flow id `(.+)` must equal the file name `(.+)`$",
          lambda m: f"mã hướng dẫn `{m[1]}` phải trùng tên tệp `{m[2]}`"),
    _rule(r"^duplicate step id `(.+)`$", lambda m: f"mã bước `{m[1]}` bị trùng với bước khác"),
    _rule(r"^button `(.+)`: `next: (.+)` names no step of this flow$",
          lambda m: f"nút «{m[1]}» đi đến bước `{m[2]}`, nhưng hướng dẫn không có bước này"),
    _rule(r"^`next: (.+)` names no step of this flow$",
          lambda m: f"không có bước `{m[1]}` trong hướng dẫn này"),
    _rule(r"^button `(.+)`: no flow `(.+)`$",
          lambda m: f"nút «{m[1]}» mở hướng dẫn `{m[2]}`, nhưng không có hướng dẫn này"),
    _rule(r"^image `(.+)` not found in .*$", lambda m: f"không tìm thấy ảnh `{m[1]}`"),
    _rule(r"^step `(.+)` is the last one but has no `end`, `next` or buttons$",
          lambda m: "đây là bước cuối nhưng chưa có «Kết thúc», «Xong đến bước» hay nút bấm"),
    _rule(r"^related flow `(.+)` does not exist$",
          lambda m: f"không có hướng dẫn liên quan `{m[1]}`"),
    _rule(r"^the flow has no step with `end`$", lambda m: "chưa có bước nào «Kết thúc»"),
    _rule(r"^step `(.+)` cannot be reached from the first step$",
          lambda m: "không có đường nào từ bước đầu đến bước này"),
    _rule(r"^step `(.+)` never leads to an end$",
          lambda m: "từ bước này không đi đến được bước kết thúc nào"),
    _rule(r"^step `(.+)` waits .*ends `completed`.*$",
          lambda m: "bước này «phải chờ», nhưng có đường từ đây kết thúc «completed»: hãy cho "
                    "đường đó kết thúc «pending»"),
    _rule(r"^unknown placeholder `(\{.*\})` \(known: (.+)\)$",
          lambda m: f"không có chỗ điền {m[1]} (dùng được: {m[2]})"),
    _rule(r"^unknown field `(.+)`$", lambda m: f"trường `{m[1]}` không có trong định dạng"),
    _rule(r"^missing field `.+`$", lambda m: "còn thiếu, không được bỏ trống"),
    _rule(r"^duplicate flow id `(.+)`.*$", lambda m: f"mã hướng dẫn `{m[1]}` bị trùng"),
    _rule(r"^(?:[\w.]+: )?a button needs exactly one of `next`, `flow` or `action`$",
          lambda m: "nút cần đúng một đích: một bước, một hướng dẫn hoặc một hành động"),
    _rule(r"^(?:[\w.]+: )?a step with `end` cannot also have `next`$",
          lambda m: "bước đã «Kết thúc» thì không có «Xong đến bước»"),
    _rule(r"^(?:[\w.]+: )?a step with `slot` needs buttons with a `value`$",
          lambda m: "bước có «ghi nhớ (slot)» cần nút bấm có giá trị"),
    _rule(r"^(?:[\w.]+: )?String should have at most (\d+) characters?$",
          lambda m: f"dài quá: tối đa {m[1]} ký tự"),
    _rule(r"^(?:[\w.]+: )?String should have at least \d+ characters?$",
          lambda m: "không được để trống"),
    _rule(r"^(?:[\w.]+: )?String should match pattern .*$",
          lambda m: "sai dạng (mã chỉ gồm chữ thường không dấu, số và dấu _)"),
    _rule(r"^(?:[\w.]+: )?Input should be (.+)$",
          lambda m: f"phải là {m[1].replace(' or ', ' hoặc ')}"),
    _rule(r"^(?:[\w.]+: )?List should have at most (\d+) items?.*$",
          lambda m: f"nhiều quá: tối đa {m[1]}"),
    _rule(r"^(?:[\w.]+: )?List should have at least \d+ items?.*$",
          lambda m: "cần ít nhất một"),
]


def place(loc: Sequence[str | int], document: Any) -> str:
    """Where a problem is, as the editor shows it: "Bước 4 (`open_app`), nút 2"."""
    if not loc:
        return ""  # the whole document: its line says where
    if loc[0] != "steps" or len(loc) < 2 or not isinstance(loc[1], int):
        name = FLOW_FIELDS.get(str(loc[0]), str(loc[0]))
        return f"{name} (mục {int(loc[1]) + 1})" if len(loc) > 1 and isinstance(loc[1], int) \
            else name
    number = loc[1]
    steps = document.get("steps") if isinstance(document, dict) else None
    step = steps[number] if isinstance(steps, list) and number < len(steps) else None
    step_id = step.get("id") if isinstance(step, dict) else None
    where = f"Bước {number + 1}" + (f" (`{step_id}`)" if step_id else "")
    rest = loc[2:]
    if len(rest) >= 2 and rest[0] == "buttons" and isinstance(rest[1], int):
        where += f", nút {rest[1] + 1}"
        if len(rest) > 2:
            where += f", {BUTTON_FIELDS.get(str(rest[2]), str(rest[2]))}"
    elif rest:
        where += f", {STEP_FIELDS.get(str(rest[0]), str(rest[0]))}"
    return where


def vietnamese(message: str, loc: Sequence[str | int], document: Any) -> str:
    """``message`` (an English check's) in Vietnamese, with its place."""
    where = place(loc, document)
    said = next((say(m) for pattern, say in RULES if (m := pattern.match(message))), message)
    return f"{where}: {said}" if where else said[:1].upper() + said[1:]
