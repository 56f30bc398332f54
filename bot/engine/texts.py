"""The assistant's own words (everything that is not guide content), in one place."""

from __future__ import annotations

from typing import Final

GROUP_LABELS: Final = {
    "vneid": "🪪 VNeID (định danh điện tử)",
    "vssid": "🏥 VssID (bảo hiểm xã hội)",
    "payment": "💳 Thanh toán không tiền mặt",
    "safety": "🛡️ An toàn, chống lừa đảo",
    "other": "📱 Việc khác",
}

# Standard buttons the engine adds to every step.
DONE: Final = "✅ Xong"
BACK: Final = "⬅️ Quay lại"
STUCK: Final = "🆘 Tôi bị kẹt"
MENU: Final = "🏠 Menu"
CONTINUE: Final = "▶️ Tiếp tục"
USEFUL: Final = "👍 Hữu ích"
UNCLEAR: Final = "🤔 Chưa rõ"
TALK_TO_TEAM: Final = "🙋 Gặp người hỗ trợ"

GREETING: Final = (
    "Cháu chào bác ạ! 👋 Cháu là trợ lý số của {team_name}. Cháu hướng dẫn bác từng bước "
    "cài và dùng VNeID, VssID, thanh toán không tiền mặt và cách tránh lừa đảo.\n"
    "Bác cứ gõ câu hỏi (ví dụ: \"cài vneid thế nào\") hoặc chọn một mục bên dưới nhé."
)
MENU_PROMPT: Final = "Bác muốn cháu hướng dẫn việc gì ạ? Bác chọn một mục nhé:"
GROUP_PROMPT: Final = "Bác chọn hướng dẫn cần xem ạ:"
HELP: Final = (
    "Cháu hướng dẫn từng bước một. Ở mỗi bước, bác làm xong thì bấm \"Xong\".\n"
    "• Gõ \"menu\" để xem danh mục\n"
    "• Gõ \"quay lại\" để về bước trước\n"
    "• Gõ \"dừng\" để nghỉ, lúc nào quay lại cũng được\n"
    "• Bấm \"Tôi bị kẹt\" để nhờ {team_name} giúp"
)
THANKS: Final = (
    "Dạ không có gì ạ! Chúc bác một ngày vui vẻ. Khi cần, bác cứ nhắn cho cháu bất cứ lúc nào. 🌼"
)
OUT_OF_SCOPE: Final = (
    "Dạ, việc này cháu chưa giúp được ạ. 🙏 Cháu chỉ hướng dẫn các việc về VNeID, VssID, "
    "thanh toán không tiền mặt, dịch vụ công và an toàn trên mạng. Bác xem danh mục bên dưới nhé:"
)
NOT_UNDERSTOOD: Final = (
    "Xin lỗi bác, cháu chưa hiểu ý bác. 🙏 Bác thử gõ ngắn hơn (ví dụ: \"quên mật khẩu vssid\") "
    "hoặc chọn trong danh mục ạ:"
)
CLARIFY: Final = "Cháu chưa chắc bác cần gì. Có phải bác muốn hỏi một trong các việc này không ạ?"
HANDOFF: Final = (
    "Cháu đã báo cho {team_name} ở {commune} ạ. Các anh chị trong tổ sẽ liên hệ giúp bác.\n"
    "Nếu cần gấp, bác gọi số {team_phone}.\n"
    "🔒 Người của tổ không bao giờ hỏi mã OTP hay mật khẩu của bác."
)
STOPPED: Final = (
    "Dạ, mình tạm dừng ở đây ạ. Khi nào bác muốn làm tiếp, bác nhắn \"tiếp tục\" là cháu đưa "
    "bác về đúng bước đang làm."
)
NOTHING_TO_RESUME: Final = "Bác chưa có hướng dẫn nào đang làm dở ạ."
RESUME_OFFER: Final = (
    "Chào bác, bác đang làm dở hướng dẫn «{title}» ({progress}). Bác muốn làm tiếp không ạ?"
)
NO_STEP_BACK: Final = "Đây là bước đầu tiên rồi ạ."
IN_FLOW_HINT: Final = (
    "Dạ, bác đang làm hướng dẫn «{title}». Bác làm xong bước này thì bấm một nút bên dưới, "
    "hoặc bấm \"Tôi bị kẹt\" để cháu nhờ người giúp nhé."
)
SWITCH_OFFER: Final = (
    "Có phải bác muốn chuyển sang «{title}» không ạ? Bác cũng có thể làm tiếp bước đang dở."
)
STALE_BUTTON: Final = "Nút này thuộc một tin nhắn cũ rồi ạ. Bác đang ở đây:"
UNKNOWN_BUTTON: Final = "Nút này không còn dùng được nữa ạ. Bác chọn lại giúp cháu nhé:"
EMPTY: Final = "Bác cứ gõ câu hỏi hoặc bấm \"Menu\" để xem các hướng dẫn ạ."
NON_TEXT: Final = (
    "Cháu chỉ đọc được chữ thôi ạ. Bác gõ câu hỏi (ví dụ: \"cài vneid\") hoặc bấm một nút "
    "bên dưới nhé."
)
FEEDBACK_THANKS: Final = "Cảm ơn bác đã cho cháu biết ạ! 🌼"
FEEDBACK_UNCLEAR: Final = (
    "Cảm ơn bác đã góp ý ạ. Cháu sẽ báo để hướng dẫn rõ hơn. Nếu bác vẫn vướng, bác bấm "
    "\"Gặp người hỗ trợ\" nhé."
)
FEEDBACK_ASK: Final = "Hướng dẫn này có giúp được bác không ạ?"
NEXT_GUIDES: Final = "Bác có thể xem tiếp:"
SAFETY_WARNING: Final = (
    "🔒 Bác lưu ý: đừng gửi mã OTP, mật khẩu, số căn cước hay số thẻ ngân hàng cho bất kỳ ai, "
    "kể cả cháu. Công an, bảo hiểm xã hội và ngân hàng không bao giờ hỏi các số này qua tin "
    "nhắn, điện thoại hay đường link. Cháu đã không lưu các số đó."
)
AUTO_BRANCH: Final = (
    "📱 Cháu hướng dẫn theo lựa chọn «{choice}» của bác. Nếu không đúng, bác bấm \"Quay lại\"."
)
SIDE_MARK: Final = "💡"
PROGRESS: Final = "**Bước {number}/{total}**"
PROGRESS_OPEN: Final = "**Bước {number}**"

DEFAULT_PLACES: Final = {
    "commune": "xã/phường của bác",
    "team_name": "Tổ công nghệ số cộng đồng",
    "team_phone": "của tổ (bác hỏi trưởng thôn hoặc UBND xã/phường)",
}
