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
CONTINUE_NAMED: Final = "▶️ Tiếp tục: {title}"
RETURN: Final = "↩️ Về «{title}»"
REVIEW_STEP: Final = "🔁 Xem lại bước này"
SCAM_HELP: Final = "🛡️ Xem cách xử lý"
KEEP_GOING: Final = "▶️ Làm tiếp bước đang dở"
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
    "Nếu cần gấp, bác gọi {team_contact}.\n"
    "🔒 Người của tổ không bao giờ hỏi mã OTP hay mật khẩu của bác."
)
HANDOFF_OFFER: Final = "Bác muốn có người giúp ạ? {team_help} Hoặc bác làm tiếp bước đang dở."
STOPPED: Final = (
    "Dạ, mình tạm dừng ở đây ạ. Khi nào bác muốn làm tiếp, bác nhắn \"tiếp tục\" là cháu đưa "
    "bác về đúng bước đang làm."
)
NOTHING_TO_RESUME: Final = "Bác chưa có hướng dẫn nào đang làm dở ạ."
RESUME_OFFER: Final = (
    "Chào bác, bác đang làm dở hướng dẫn «{title}» ({progress}). Bác muốn làm tiếp không ạ?"
)
UNFINISHED: Final = (
    "Bác đang làm dở «{title}» ({progress}). Bác bấm «▶️ Tiếp tục» để làm tiếp, "
    "hoặc chọn việc khác bên dưới."
)
NO_STEP_BACK: Final = "Đây là bước đầu tiên rồi ạ."
RETURNED: Final = "Dạ, cháu đưa bác về hướng dẫn «{title}» ạ:"
GUIDE_UPDATED: Final = (
    "Hướng dẫn «{title}» vừa được cập nhật ạ, nên cháu đưa bác về bước gần nhất còn dùng được:"
)
GUIDE_GONE: Final = "Hướng dẫn bác đang làm dở vừa được thay đổi và không còn nữa ạ."
GUIDE_GONE_MENU: Final = GUIDE_GONE + " Bác chọn lại trong danh mục nhé:"
UNKNOWN_LINK: Final = (
    "Đường link bác vừa mở dẫn tới một hướng dẫn cháu không tìm thấy ạ (có thể đường link đã cũ "
    "hoặc bị gõ sai). Bác chọn hướng dẫn cần xem trong danh mục nhé:"
)
CHOOSE: Final = "Dạ, ở bước này bác chọn giúp cháu một nút bên dưới nhé:"
# A typed reply close to two or three buttons: "Ý bác là «A» hay «B» ạ?"
ASK_WHICH: Final = "Ý bác là {options} ạ? Bác bấm nút giúp cháu nhé."
TROUBLE_ASK: Final = (
    "Dạ, bước này chưa được ạ? Màn hình điện thoại của bác đang hiện gì? Bác chọn trường hợp "
    "giống nhất bên dưới, hoặc gõ cho cháu chữ đang hiện trên màn hình nhé."
)
TROUBLE_ASK_PLAIN: Final = (
    "Dạ, bước này chưa được ạ? Màn hình điện thoại của bác đang hiện gì? Bác gõ cho cháu chữ "
    "đang hiện trên màn hình, hoặc bấm «Xem lại bước này» để làm lại bước này từ đầu."
)
TROUBLE_TEAM: Final = (
    "Cháu chưa giúp được bác ở bước này ạ. {team_help} Hoặc bác xem lại bước này nhé."
)
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
FORGET_CONFIRM: Final = (
    "Bác muốn xóa toàn bộ dữ liệu cháu lưu về bác (các bước đang làm, tin nhắn đã gửi, các lần "
    "nhờ hỗ trợ) phải không ạ? Xóa rồi thì không khôi phục được. Các con số thống kê chung "
    "(không có tên hay mã của bác) vẫn được giữ."
)
FORGET_YES: Final = "🗑️ Xóa hết dữ liệu"
FORGET_NO: Final = "Không xóa"
FORGET_KEPT: Final = "Dạ, cháu giữ nguyên dữ liệu của bác ạ."
FORGET_NOT_DONE: Final = (
    "Cháu chưa xóa dữ liệu nào của bác ạ. Nếu bác muốn xóa hết, bác gõ \"xóa dữ liệu của tôi\" "
    "rồi bấm «🗑️ Xóa hết dữ liệu»."
)
SIDE_MARK: Final = "💡"
PROGRESS: Final = "**Bước {number}/{total}**"
PROGRESS_OPEN: Final = "**Bước {number}**"

# Scam warnings, one per signal (bot/safety): said first, before anything else in the turn.
SCAM_WARNINGS: Final = {
    "money_lost": (
        "⚠️ Bác làm ngay: gọi tổng đài ngân hàng của bác (số in ở mặt sau thẻ ATM), hoặc ra "
        "chi nhánh gần nhất, để ngân hàng chặn tiền. Mấy giờ đầu là quan trọng nhất. Cháu "
        "hướng dẫn tiếp ngay dưới đây."
    ),
    "secret_given": (
        "⚠️ Có mã OTP, mật khẩu của bác, kẻ gian có thể lấy tiền ngay. Bác gọi ngay tổng đài "
        "ngân hàng (số in ở mặt sau thẻ ATM) để khóa thẻ và tài khoản. Cháu hướng dẫn tiếp "
        "ngay dưới đây."
    ),
    "app_installed": (
        "⚠️ Đường link, ứng dụng lạ có thể đọc được tin nhắn chứa mã OTP của bác. Bác đừng "
        "nhập thêm mã hay mật khẩu nào. Cháu hướng dẫn những việc cần làm ngay dưới đây."
    ),
    "wrong_transfer": (
        "⚠️ \"Chuyển nhầm\" tiền rồi gọi đòi là một mánh lừa hay gặp. Bác đừng tự chuyển "
        "trả, đừng bấm đường link \"hoàn tiền\". Cháu hướng dẫn cách xử lý ngay dưới đây."
    ),
    "sent_by_mistake": (
        "⚠️ Chuyển nhầm thì bác báo ngân hàng càng sớm càng tốt. Cháu hướng dẫn ngay dưới "
        "đây."
    ),
    "secret_asked": (
        "⚠️ Đây là dấu hiệu lừa đảo: công an, ngân hàng, bảo hiểm xã hội không bao giờ hỏi mã "
        "OTP, mật khẩu hay ảnh thẻ căn cước của bác. Bác đừng đọc, đừng gửi cho ai."
    ),
    "impersonation": (
        "⚠️ Cẩn thận: công an, ngân hàng, bảo hiểm xã hội không làm việc với người dân qua "
        "điện thoại, không hỏi mã OTP, không gửi đường link. Bác cúp máy, đừng làm theo. Có "
        "việc thật thì bác tự đến trụ sở công an xã/phường hay ngân hàng để hỏi."
    ),
    "money_asked": (
        "⚠️ Cẩn thận: người lạ gọi điện, nhắn tin đòi bác chuyển tiền, đóng phí hay nộp phạt "
        "là dấu hiệu lừa đảo. Công an, bảo hiểm xã hội không làm việc với người dân qua điện "
        "thoại. Bác đừng chuyển, cúp máy; có việc thật thì bác tự đến trụ sở hay quầy để hỏi."
    ),
    "stranger_link": (
        "⚠️ Cẩn thận: người lạ gửi mã QR, đường link hay tệp, bảo quét hoặc bấm để \"nhận "
        "tiền\", \"cập nhật\", là dấu hiệu lừa đảo. Bác đừng quét, đừng bấm, đừng cài gì theo "
        "đường link, và không đọc mã OTP cho ai."
    ),
    "money_lure": (
        "⚠️ Cẩn thận: hứa \"tiền hỗ trợ\", \"trúng thưởng\", \"tăng lương hưu\", \"rút bảo "
        "hiểm nhanh\" hay cho vay mà đòi phí trước là mánh lừa hay gặp. Bác đừng bấm đường "
        "link, đừng quét mã, đừng chuyển tiền hay đọc mã OTP cho ai."
    ),
    "fake_update": (
        "⚠️ Cẩn thận: tin nhắn, cuộc gọi bắt \"cập nhật sinh trắc học\", \"đồng bộ\", \"kích "
        "hoạt\" qua đường link hay qua điện thoại có thể là lừa đảo. Bác chỉ làm trong ứng dụng "
        "chính thức (tải từ CH Play, App Store), hoặc tại quầy, tại trụ sở."
    ),
    "fake_level": (
        "⚠️ Không có \"định danh mức 3\" hay \"VssID 4.0\". Ai bảo bác cài những thứ này là "
        "kẻ gian. Chỉ có một ứng dụng VNeID và một ứng dụng VssID, tải từ CH Play hoặc App Store."
    ),
    "scam_named": (
        "⚠️ Cháu giúp bác ngay. Bác nhớ: không đọc mã OTP, mật khẩu cho ai; không bấm đường "
        "link, không cài ứng dụng người lạ gửi. Nếu đã mất tiền, bác gọi ngay tổng đài ngân "
        "hàng."
    ),
}

DEFAULT_PLACES: Final = {
    "commune": "xã/phường của bác",
    "team_name": "Tổ công nghệ số cộng đồng",
    "team_phone": "của tổ, trưởng thôn và UBND xã/phường đều có",
}
# ``{team_contact}``: the team and how to reach it, for "nhờ/hỏi/gọi {team_contact}".
TEAM_CONTACT: Final = "{team_name} (số {team_phone})"
TEAM_CONTACT_NO_PHONE: Final = "{team_name} (trưởng thôn và UBND xã/phường có số điện thoại của tổ)"

# Pictures of the resident's screen (bot/engine/pictures): always say what was read, so a
# misreading shows. ``{line}`` is a line of the picture, masked and shortened.
PICTURE_SUSPICIOUS: Final = "Cháu thấy trong ảnh có dòng «{line}»: {why}."
PICTURE_WHY: Final = {
    "stranger_link": "đường link lạ{address}, không phải trang của cơ quan nhà nước (các trang "
                     "đó có đuôi .gov.vn). Bác đừng bấm vào",
    "money_lure": "hứa cho tiền, quà hay hỗ trợ. Đó là mồi nhử hay gặp của kẻ lừa đảo",
    "fake_update": "bắt cập nhật, kích hoạt hay đồng bộ thông tin qua tin nhắn, đường link. "
                   "Cơ quan nhà nước không làm như vậy",
    "secret_asked": "hỏi mã OTP, mật khẩu hoặc thông tin thẻ. Không ai được hỏi những thứ đó",
    "impersonation": "xưng là công an, ngân hàng hay cơ quan nhà nước để bắt bác làm theo",
    "wrong_transfer": "báo chuyển nhầm tiền rồi đòi lại. Đó là mánh lừa hay gặp",
    "fake_level": "nói tới một mức định danh hay một phiên bản ứng dụng không có thật",
    "scam_named": "có dấu hiệu lừa đảo",
}
PICTURE_SCREEN: Final = (
    "Cháu thấy trong ảnh có dòng «{line}». Đây là màn hình của hướng dẫn «{title}»; cháu "
    "đưa bác tới đúng bước này:"
)
PICTURE_SAME_STEP: Final = (
    "Cháu thấy trong ảnh có dòng «{line}». Bác đang ở đúng bước này của «{title}» ạ:"
)
PICTURE_TOPIC: Final = "Cháu thấy trong ảnh có dòng «{line}». Có lẽ bác cần hướng dẫn này ạ:"
PICTURE_TOPIC_OFFER: Final = (
    "Cháu thấy trong ảnh có dòng «{line}». Có phải bác muốn xem «{title}» không ạ? Bác cũng "
    "có thể làm tiếp bước đang dở."
)
PICTURE_ALTERNATIVE: Final = "Nếu không phải, bác xem thử hướng dẫn này:"
PICTURE_UNREAD: Final = (
    "Cháu chưa đọc được chữ nào trong ảnh này ạ. Bác gõ cho cháu chữ đang hiện trên màn hình, "
    "hoặc bấm «🆘 Tôi bị kẹt» để cháu nhờ {team_name} giúp bác nhé."
)
PICTURE_NOT_PLACED: Final = (
    "Cháu thấy trong ảnh có dòng «{line}», nhưng cháu chưa đọc được bác cần giúp việc gì ạ. Bác "
    "gõ cho cháu vài chữ, hoặc bấm «🆘 Tôi bị kẹt» để cháu nhờ {team_name} giúp bác nhé."
)
PICTURE_PRIVATE: Final = (
    "🔒 Ảnh của bác có số định danh, số thẻ hoặc mã số riêng. Cháu không lưu ảnh, và đã che "
    "các số đó. Bác đừng gửi ảnh như thế cho người lạ nhé."
)
# ``{team_help}``: the only words a guide may use to offer a person, filled by whoever knows
# whether a team can be reached now (the teams registry). Unknown: the resident asks.
TEAM_HELP_REACHABLE: Final = (
    "Bác bấm «🆘 Tôi bị kẹt» để cháu chuyển câu hỏi của bác đến {team_name} ạ."
)
TEAM_HELP_UNREACHABLE: Final = "Bác có thể nhờ {team_contact} giúp ạ."
