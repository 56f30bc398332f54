"""Words only the Telegram channel says (the engine's own words live in ``bot.engine.texts``)."""

from __future__ import annotations

from typing import Final

APOLOGY: Final = (
    "Xin lỗi bác, cháu đang gặp trục trặc một chút. 🙏 Bác chờ một lát rồi nhắn lại giúp cháu "
    "nhé. Bước bác đang làm vẫn được giữ nguyên."
)

# Command menus shown by Telegram's "/" button: (command, description) pairs.
COMMANDS_VI: Final = (
    ("start", "Bắt đầu trò chuyện với trợ lý"),
    ("menu", "Xem danh mục hướng dẫn"),
    ("tieptuc", "Làm tiếp bước đang dở"),
    ("help", "Cách dùng trợ lý"),
    ("stop", "Tạm dừng hướng dẫn"),
)
COMMANDS_EN: Final = (
    ("start", "Start talking to the assistant"),
    ("menu", "List of guides"),
    ("resume", "Continue where you left off"),
    ("help", "How to use the assistant"),
    ("stop", "Pause the current guide"),
)

# Inline mode: the card a team member posts into a resident's chat.
INLINE_CARD: Final = (
    "📘 <b>{title}</b>\n{summary}\n\nBác bấm nút bên dưới, trợ lý số sẽ hướng dẫn bác từng bước."
)
INLINE_OPEN: Final = "📖 Mở hướng dẫn"
