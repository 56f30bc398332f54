"""Words only the Zalo channel says (the engine's own words live in ``bot.engine.texts``)."""

from __future__ import annotations

from typing import Final

NUMBERED_INTRO: Final = "Hoặc bác nhắn số để chọn:"
CUT_SHORT: Final = "(Tin dài quá nên cháu gửi phần cuối ạ.)"
QUOTA_NOTE: Final = (
    "📩 Zalo chỉ cho cháu trả lời vài tin sau mỗi tin bác nhắn. Bác nhắn cho cháu một chữ bất "
    "kỳ (ví dụ \"tiếp\") để cháu gửi tiếp được nhé."
)
APOLOGY: Final = (
    "Xin lỗi bác, cháu đang gặp trục trặc một chút. 🙏 Bác chờ một lát rồi nhắn lại giúp cháu "
    "nhé. Bước bác đang làm vẫn được giữ nguyên."
)
