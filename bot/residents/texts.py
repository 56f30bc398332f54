"""What residents read about their data (Vietnamese)."""

from __future__ import annotations

from typing import Final

CHANNELS: Final = {"web": "trang trò chuyện trên web", "telegram": "Telegram", "zalo": "Zalo"}
SUMMARY_HEAD: Final = "📋 Đây là những gì cháu đang lưu về bác:"
NOTHING_STORED: Final = "Cháu chưa lưu gì về bác cả ạ."
CHANNEL: Final = "• Kênh: {channel} (kèm mã người dùng của bác trên kênh này)"
COMMUNE: Final = "• Xã/phường: {commune}"
GUIDE: Final = "• Hướng dẫn đang làm dở: «{title}»"
NO_GUIDE: Final = "• Không có hướng dẫn nào đang làm dở"
CHOICES: Final = "• Lựa chọn cháu đã nhớ: {choices}"
MESSAGES: Final = ("• {count} tin nhắn bác đã gửi, từ ngày {since} (các dãy số như mã OTP, số "
                   "căn cước, số điện thoại đều đã được che trước khi lưu)")
HANDOFFS: Final = "• {count} lần nhờ tổ hỗ trợ"
NEWS_ON: Final = "• Nhận tin của tổ: đồng ý từ {since} (gõ «dừng nhận tin» để thôi)"
NEWS_OFF: Final = "• Nhận tin của tổ: đã dừng từ {since}"
RECENT: Final = "Mấy tin nhắn gần nhất:"
RETENTION: Final = ("Chữ trong tin nhắn cũ hơn {days} ngày được tự động xóa. Nếu muốn xóa hết "
                    "ngay, bác gõ \"xóa dữ liệu của tôi\" hoặc bấm nút bên dưới.")
ERASE_BUTTON: Final = "🗑️ Xóa dữ liệu của tôi"
ERASED: Final = ("✅ Cháu đã xóa toàn bộ dữ liệu về bác: các bước đang làm, {messages} tin "
                 "nhắn và {handoffs} lần nhờ hỗ trợ. Chỉ còn các con số thống kê chung, không "
                 "có tên hay mã của bác.\nTin nhắn hiện trên máy bác thì bác tự xóa trong "
                 "ứng dụng nhé. Khi cần, bác cứ nhắn cho cháu như người mới ạ.")
ERASED_NOTHING: Final = "Cháu không còn lưu dữ liệu nào về bác ạ."
