"""Packing a turn into Zalo messages: at most 3, each within 2,000 characters and 5 buttons,
with nothing the resident could press lost."""

from __future__ import annotations

from bot.channels.zalo.render import MAX_BUTTONS, MAX_PARTS, TEXT_LIMIT, render, split_text
from bot.channels.zalo.sender import zalo_message
from bot.engine.messages import Button, Reply


def buttons(count: int) -> tuple[Button, ...]:
    return tuple(Button(f"Nút {n}", f"s:f.s.{n}") for n in range(count))


def test_a_warning_travels_with_the_step_after_it_and_bold_markers_go() -> None:
    rendered = render([Reply("⚠️ **Đừng** đọc mã OTP"), Reply("Bước 1/3\nBấm", buttons(2))])
    assert len(rendered.parts) == 1
    assert rendered.parts[0].text == "⚠️ Đừng đọc mã OTP\n\nBước 1/3\nBấm"
    assert [b.payload for b in rendered.parts[0].buttons] == ["s:f.s.0", "s:f.s.1"]


def test_buttons_beyond_five_are_numbered_and_remembered() -> None:
    rendered = render([Reply("Chọn", buttons(7))])
    part = rendered.parts[0]
    assert len(part.buttons) == MAX_BUTTONS
    assert "1. Nút 5" in part.text and "2. Nút 6" in part.text
    assert rendered.options == {"1": "s:f.s.5", "2": "s:f.s.6"}


def test_long_text_is_split_at_lines_with_buttons_on_the_last_piece() -> None:
    text = "\n".join("x" * 99 for _ in range(30))  # 2,999 characters
    rendered = render([Reply(text, buttons(1))])
    assert len(rendered.parts) == 2
    assert all(len(p.text) <= TEXT_LIMIT for p in rendered.parts)
    assert rendered.parts[0].buttons == () and rendered.parts[1].buttons
    assert "\n".join(p.text for p in rendered.parts) == text


def test_a_line_without_spaces_is_cut_hard() -> None:
    assert [len(p) for p in split_text("y" * 4500)] == [2000, 2000, 500]


def test_a_busy_turn_never_takes_more_than_three_messages() -> None:
    replies = [Reply("Một", buttons(2)), Reply("Hai", buttons(1)), Reply("Ba", buttons(1)),
               Reply("Bốn " * 700, buttons(3), image="a.png")]
    rendered = render(replies)
    assert len(rendered.parts) <= MAX_PARTS
    payloads = {b.payload for p in rendered.parts for b in p.buttons} | set(
        rendered.options.values())
    assert {b.payload for r in replies for b in r.buttons} <= payloads
    for part in rendered.parts:
        assert len(part.text) <= TEXT_LIMIT and len(part.buttons) <= MAX_BUTTONS


def test_an_image_goes_first_as_its_own_message() -> None:
    rendered = render([Reply("Nhìn ảnh", buttons(1), image="x/y.png")])
    assert rendered.parts[0].image == "x/y.png" and rendered.parts[0].text == ""
    body = zalo_message("u1", rendered.parts[0], {"attachment_id": "att-1"})
    assert body["message"]["attachment"]["payload"]["elements"] == [
        {"media_type": "image", "attachment_id": "att-1"}]
    step = zalo_message("u1", rendered.parts[1], None)
    assert step["message"]["attachment"]["payload"]["buttons"] == [
        {"type": "oa.query.hide", "title": "Nút 0", "payload": "s:f.s.0"}]
