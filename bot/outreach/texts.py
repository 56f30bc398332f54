"""What residents read about proactive messages: agreeing, stopping, and the messages'
frame. One sentence each, saying who writes, about what, how often at most, and how to stop."""

from __future__ import annotations

from typing import Final

OPT_IN_BUTTON: Final = "✅ Đồng ý nhận tin"
NO_THANKS_BUTTON: Final = "Không, cảm ơn"
STOP_BUTTON: Final = "🔕 Dừng nhận tin"
OPEN_GUIDE_BUTTON: Final = "📖 Xem hướng dẫn"

# {team_name} {commune} {per_day} {per_week} are filled in.
_PROMISE: Final = (
    "{team_name} sẽ nhắn bác tin về việc sắp diễn ra ở {commune} (làm định danh, đổi SIM, "
    "cảnh báo lừa đảo mới…), nhiều nhất {per_day} tin một ngày và {per_week} tin một tuần, chỉ "
    "từ 7 giờ sáng đến 9 giờ tối; muốn thôi, bác gõ «dừng nhận tin» bất cứ lúc nào.")
OFFER: Final = "🔔 Bác có muốn nhận tin của tổ không ạ? Nếu đồng ý, " + _PROMISE
OPTED_IN: Final = "🔔 Dạ, cháu đã ghi nhận ạ: từ nay " + _PROMISE
ZALO_NOTE: Final = (" Trên Zalo, cháu chỉ gửi được khi bác đã nhắn cho cháu trong 7 ngày gần "
                    "nhất ạ.")
ALREADY_IN: Final = ("Dạ, bác đã đăng ký nhận tin của {team_name} rồi ạ. Muốn thôi, bác gõ "
                     "«dừng nhận tin».")
NEED_UNIT: Final = (
    "Dạ, cháu chưa biết bác ở xã/phường nào nên chưa biết tổ nào sẽ nhắn tin cho bác ạ. Bác gõ "
    "«đổi xã» để cho cháu biết, rồi gõ lại «nhận tin của tổ» nhé.")
OPTED_OUT: Final = ("🔕 Dạ, cháu đã dừng ạ: từ giờ bác không nhận tin của tổ nữa. Khi muốn nhận "
                    "lại, bác gõ «nhận tin của tổ».")
NOT_SUBSCRIBED: Final = ("Dạ, bác chưa đăng ký nhận tin nào của tổ nên sẽ không có tin nào được "
                         "gửi cho bác ạ.")
DECLINED: Final = "Dạ vâng, cháu sẽ không gửi tin ạ. Khi cần, bác gõ «nhận tin của tổ» nhé."
# An announcement: who writes, what they say, why the resident gets it, how to stop.
FRAME: Final = "📢 Tin của {team_name}:\n\n{text}\n\n(Bác nhận tin này vì đã đồng ý nhận tin " \
               "của tổ. Gõ «dừng nhận tin» để thôi nhận.)"

# ---------------------------------------------------------------- follow-ups (issue 26)
FOLLOWUP_OFFER: Final = ("⏰ Nếu bác đồng ý, sau {days} ngày cháu sẽ nhắn hỏi lại bác: «{ask}» "
                         "(chỉ một lần, từ 7 giờ sáng đến 9 giờ tối).")
FOLLOWUP_YES: Final = "✅ Nhắc tôi sau {days} ngày"
FOLLOWUP_NO: Final = "Thôi, không cần nhắc"
FOLLOWUP_ZALO: Final = ("⏰ Trên Zalo cháu không tự nhắn lại được sau {days} ngày ạ. Sau {days} "
                        "ngày, bác nhắn «tiếp tục» cho cháu để làm tiếp nhé.")
FOLLOWUP_SCHEDULED: Final = ("Dạ, cháu ghi nhận ạ: khoảng {when}, cháu sẽ hỏi bác «{ask}». Muốn "
                             "thôi, bác gõ «hủy nhắc».")
FOLLOWUP_DECLINED: Final = "Dạ vâng, cháu sẽ không nhắc ạ."
FOLLOWUP_CANCELLED: Final = "Dạ, cháu đã hủy {count} lời nhắc ạ. Cháu sẽ không hỏi lại nữa."
FOLLOWUP_NONE: Final = "Dạ, hiện cháu không có lời nhắc nào cho bác ạ."
FOLLOWUP_LIST: Final = "Cháu sẽ hỏi lại bác:"
FOLLOWUP_ITEM: Final = "• khoảng {when}: «{ask}»"
FOLLOWUP_LIST_END: Final = "Muốn thôi, bác gõ «hủy nhắc»."
ANSWER_DONE: Final = "✅ Rồi"
ANSWER_NOT_YET: Final = "⏳ Chưa"
ANSWER_PROBLEM: Final = "⚠️ Có vấn đề"
FOLLOWUP_AGAIN: Final = "Dạ, không sao ạ. Khoảng {when}, cháu sẽ hỏi lại bác một lần nữa."
FOLLOWUP_THANKS: Final = "Dạ, cảm ơn bác đã cho cháu biết ạ. 🌼"
