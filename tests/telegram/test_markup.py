"""Engine text and buttons in Telegram's shape: HTML, pieces, keyboard rows."""

from __future__ import annotations

import pytest

from bot.channels.telegram.markup import keyboard, split_text, to_html, units
from bot.engine.messages import Button


def test_bold_becomes_html_and_everything_else_is_escaped() -> None:
    assert to_html("Bấm **Cài đặt** <ngay> & **xong") == (
        "Bấm <b>Cài đặt</b> &lt;ngay&gt; &amp; **xong"
    )


def test_pieces_respect_the_limit_in_utf16_units_and_keep_every_word() -> None:
    text = "📱 Bác bấm vào đây " * 400 + "\n" + "x" * 9000
    pieces = split_text(text, limit=1000)
    assert all(units(p) <= 1000 for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert split_text("ngắn") == ["ngắn"]


def test_short_labels_share_rows_long_ones_stand_alone() -> None:
    markup = keyboard(
        [
            Button("Android (Samsung, Oppo…)", "s:a.b.0"),
            Button("iPhone", "s:a.b.1"),
            Button("✅ Xong", "n:a.b"),
            Button("⬅️ Quay lại", "c:back"),
            Button("🆘 Tôi bị kẹt", "c:stuck"),
        ]
    )
    assert markup is not None
    rows = [[b.text for b in row] for row in markup.inline_keyboard]
    assert rows == [
        ["Android (Samsung, Oppo…)"],
        ["iPhone", "✅ Xong"],
        ["⬅️ Quay lại", "🆘 Tôi bị kẹt"],
    ]
    assert keyboard([]) is None


def test_a_payload_over_64_bytes_is_dropped_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    too_long = "s:" + "đ" * 40
    markup = keyboard([Button("Một", too_long), Button("Hai", "c:menu")])
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [["c:menu"]]
    assert "dropped" in caplog.text
