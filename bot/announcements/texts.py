"""The console's words about announcements (answers to bad requests included)."""

from __future__ import annotations

from typing import Final

NOT_FOUND: Final = "Không có thông báo này."
OTHER_UNIT: Final = "Đơn vị này thuộc tổ khác; bạn không viết hay xem thông báo của đơn vị đó được."
ONLY_EDITORS: Final = "Chỉ biên tập viên của đơn vị hoặc quản trị mới duyệt và gửi thông báo."
NOT_PROPOSED: Final = "Thông báo này không phải là đề xuất đang chờ duyệt."
NEEDS_APPROVAL: Final = "Đề xuất này cần biên tập viên duyệt trước khi gửi."
ALREADY_SENT: Final = "Thông báo này đã được gửi (hoặc đang gửi) rồi."
CONFIRM_COUNT: Final = "Hãy gửi kèm \"confirm_count\": số người dân mà bản xem trước cho biết."
COUNT_CHANGED: Final = ("Số người nhận đã thay đổi: bây giờ là {count}. Hãy xem trước lại rồi "
                        "xác nhận đúng số đó.")
UNIT_LIMIT: Final = ("Đơn vị này đã gửi đủ số thông báo cho phép (tối đa {day} trong một ngày, "
                     "{week} trong một tuần), để người dân không bị làm phiền.")
NO_UNIT: Final = "Hãy chọn đơn vị (\"unit_id\")."
UNKNOWN_UNIT: Final = "Không có đơn vị «{unit}»."
NO_TEXT: Final = "Hãy viết nội dung thông báo (\"text\")."
TOO_LONG: Final = "Nội dung dài quá ({length} ký tự); tối đa {limit} ký tự."
UNKNOWN_PLACEHOLDER: Final = "Không có chỗ điền «{{{name}}}»; chỉ dùng được: {known}."
SECRET: Final = ("Nội dung có vẻ chứa số định danh, số thẻ, mã OTP hay mật khẩu; thông báo "
                 "không được chứa những thông tin đó.")
UNKNOWN_GUIDE: Final = "Không có hướng dẫn «{flow}»."
BAD_TIME: Final = ("\"send_at\" phải là thời điểm dạng ISO-8601, ví dụ 2027-01-05T09:00:00+07:00.")
PAST_TIME: Final = "Thời điểm gửi đã qua."
BAD_BOOL: Final = "\"{name}\" phải là true hoặc false."
BAD_FIELD: Final = "\"{name}\" phải là chuỗi ký tự."
