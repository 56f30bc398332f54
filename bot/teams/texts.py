"""What the hand-off says: to residents ("bác", the assistant is "cháu") and to team members
("bạn"). Every promise here is said only once it is true (see ``bot/teams/handoff.py``)."""

from __future__ import annotations

from typing import Final

# ------------------------------------------------------------------ residents
LEAVE: Final = "↩️ Quay lại trợ lý"
SHARE_PHONE: Final = "📞 Gửi số điện thoại"
SKIP: Final = "⏭️ Bỏ qua"
SOLVED: Final = "👍 Xong rồi"
UNSOLVED: Final = "👎 Chưa được"
ASK_AGAIN: Final = "🆘 Nhờ tổ lần nữa"

SENDING: Final = (
    "Dạ, cháu đang chuyển câu hỏi của bác đến **{team}**. Khi tin đến nơi, cháu sẽ báo bác "
    "ngay tại đây ạ."
)
IN_INBOX: Final = (
    "Dạ, cháu đã chuyển câu hỏi của bác đến **{team}** ạ. Khi có anh chị nhận giúp, cháu sẽ "
    "báo bác ngay tại đây. Trong lúc chờ, bác cứ làm tiếp hướng dẫn nhé."
)
OFF_HOURS: Final = (
    "Bây giờ là ngoài giờ làm việc của tổ ({hours}), nên sớm nhất {when} mới có người xem "
    "được ạ."
)
URGENT: Final = "Nếu cần gấp, bác gọi {phones}."
NO_OTP: Final = "🔒 Người của tổ không bao giờ hỏi mã OTP, mật khẩu hay số thẻ của bác."
POSTED: Final = (
    "✅ Tin báo của cháu đã đến {team} ạ. Khi có anh chị nhận giúp, cháu sẽ báo bác ngay. "
    "Trong lúc chờ, bác cứ làm tiếp hướng dẫn nhé."
)
POSTED_OFF_HOURS: Final = (
    "✅ Tin báo của cháu đã đến {team} ạ. Tổ làm việc {hours}, nên sớm nhất {when} các anh "
    "chị sẽ xem được. Khi có người nhận, cháu sẽ báo bác ngay."
)
ESCALATED: Final = (
    "Chưa có anh chị nào ở {old} nhận được, nên cháu đã chuyển câu hỏi của bác lên **{team}** "
    "ạ. Khi có người nhận, cháu sẽ báo bác ngay."
)
FORWARDED: Final = (
    "Cháu đã chuyển câu hỏi của bác đến **{team}** ạ. Khi có người nhận, cháu sẽ báo bác ngay."
)
NOBODY_YET: Final = (
    "Dạ, các anh chị trong tổ vẫn chưa nhận được câu hỏi của bác ạ. 🙏 Câu hỏi vẫn nằm chờ ở "
    "tổ, ai rảnh sẽ nhận."
)
NOT_DELIVERED: Final = (
    "Dạ, cháu chưa gửi được câu hỏi của bác đến {team} ạ. 🙏"
)
NO_TEAM: Final = (
    "Dạ, hiện cháu chưa kết nối được với tổ hỗ trợ nào ở {place}, nên cháu chưa chuyển được "
    "câu hỏi của bác cho người thật ạ. 🙏"
)
CALL: Final = "Bác có thể gọi:\n{phones}"
GENERIC_HELP: Final = (
    "Bác có thể nhờ trưởng thôn, hoặc hỏi UBND xã/phường nơi bác ở giúp ạ."
)
ASK_UNIT: Final = (
    "Để cháu báo đúng tổ công nghệ số ở nơi bác ở: bác ở **xã/phường nào** ạ? Bác gõ tên "
    "xã hoặc phường, không dấu cũng được."
)
ASK_UNIT_AGAIN: Final = (
    "Cháu vẫn chờ bác cho biết **xã/phường** để báo đúng tổ ạ. Bác gõ tên xã hoặc phường, "
    "hoặc bấm «Bỏ qua»."
)
HANDOFF_WAITS_UNIT: Final = (
    "Dạ, cháu đang báo tổ giúp bác đây ạ, chỉ cần biết bác ở **xã/phường nào** để báo đúng "
    "tổ. Bác gõ tên xã hoặc phường, hoặc bấm «Bỏ qua» để cháu báo ngay cho tổ chung."
)
UNIT_SKIPPED_URGENT: Final = "Việc của bác gấp, nên cháu không chờ tên xã/phường nữa ạ."
UNIT_CHOICES: Final = "Có mấy nơi tên như vậy, bác chọn giúp cháu ạ:"
UNIT_NOT_FOUND: Final = (
    "Cháu chưa tìm thấy xã/phường «{text}» ạ. Bác gõ lại tên xã/phường, hoặc bấm «Bỏ qua»."
)
UNIT_SET: Final = "Dạ, cháu ghi nhận bác ở **{name}** ạ."
UNIT_UNCHANGED: Final = "Dạ, cháu giữ nguyên nơi ở của bác ạ."
ALREADY_SENT: Final = (
    "Dạ, cháu đã chuyển câu hỏi của bác đến {team} rồi ạ. Khi có người nhận, cháu sẽ báo bác "
    "ngay."
)
ALREADY_SENDING: Final = (
    "Dạ, cháu vẫn đang chuyển câu hỏi của bác đến {team} ạ. Khi tin đến nơi, cháu sẽ báo bác."
)
ALREADY_TALKING: Final = (
    "Dạ, bác đang nói chuyện với {member} ({team}) ạ. Bác cứ nhắn ở đây là {member} đọc được."
)
CLAIMED: Final = (
    "👋 {member} ở {team} đã nhận câu hỏi của bác. Từ giờ bác nhắn ở đây là {member} đọc "
    "được ạ.\n" + NO_OTP + "\nMuốn quay lại trợ lý, bác bấm «Quay lại trợ lý»."
)
FROM_MEMBER: Final = "👤 {member}: {text}"
SECRET_HELD: Final = (
    "🔒 Cháu đã che mã số, mật khẩu hay số thẻ trong tin của bác, không chuyển cho {member}. "
    "Bác đừng gửi các số đó cho ai, kể cả người của tổ ạ."
)
PHONE_ASK: Final = (
    "Bác gõ số điện thoại của bác vào đây ạ. Cháu chỉ chuyển số đó cho {member} để gọi lại "
    "cho bác."
)
PHONE_SENT: Final = "✅ Cháu đã chuyển số điện thoại của bác cho {member} ạ."
PHONE_MISSING: Final = (
    "Cháu chưa thấy số điện thoại trong tin của bác, nên chưa chuyển số nào ạ. Muốn gửi số, "
    "bác bấm «Gửi số điện thoại» rồi gõ số."
)
CLOSED_BY_MEMBER: Final = (
    "✅ {member} đã kết thúc cuộc trò chuyện. Việc của bác đã được giải quyết chưa ạ?"
)
CLOSED_UNCLAIMED: Final = (
    "Dạ, tổ đã khép lại yêu cầu gặp người hỗ trợ của bác ạ. Nếu bác vẫn cần giúp, bác bấm "
    "«🆘 Tôi bị kẹt» lần nữa nhé."
)
LEFT: Final = (
    "Dạ, bác đã quay lại trợ lý ạ; cháu đã báo {member}. Việc của bác đã được giải quyết "
    "chưa ạ?"
)
THANKS: Final = "Cảm ơn bác đã cho cháu biết ạ! 🌼"
SORRY: Final = (
    "Cháu xin lỗi vì việc của bác chưa xong ạ. 🙏 Bác có thể nhờ tổ lần nữa bất cứ lúc nào."
)
CONTINUE: Final = "Bác làm tiếp hướng dẫn «{title}» ({progress}) nhé?"
WHAT_NEXT: Final = "Bác muốn cháu hướng dẫn việc gì tiếp ạ?"
OLD_BUTTON: Final = "Cuộc trò chuyện với tổ này đã xong rồi ạ."
IDLE_ENDED: Final = (
    "Cuộc trò chuyện với {member} đã kết thúc vì lâu không có tin nhắn ạ. Cháu là trợ lý, "
    "cháu trả lời bác đây:"
)

# ------------------------------------------------------------------ team members
CLAIM: Final = "🙋 Tôi nhận"
DONE: Final = "✅ Xong"
CHANNELS: Final = {"web": "Web", "telegram": "Telegram", "zalo": "Zalo"}

POST: Final = "🆘 **Phiếu #{id}** — người dân cần giúp\n{context}"
POST_ESCALATED: Final = (
    "⏫ **Phiếu #{id}** — chuyển lên từ {old}: chưa ai nhận sau {minutes} phút\n{context}"
)
CONTEXT_PLACE: Final = "📍 {place} · {channel}"
CONTEXT_GUIDE: Final = "📘 «{title}» — {progress}: {step}"
CONTEXT_NO_GUIDE: Final = "📘 Ngoài hướng dẫn"
CONTEXT_SAID: Final = "🗨️ Người dân đã nhắn (số bí mật đã được che):"
CONTEXT_OPENED: Final = "🕘 Mở lúc {time}"
POST_CLAIMED: Final = "✅ {member} đã nhận lúc {time}."
POST_CLOSED: Final = "✅ Đã xong lúc {time} ({member})."
POST_LEFT: Final = "↩️ Người dân đã quay lại trợ lý lúc {time}."
POST_IDLE: Final = "⌛ Tự đóng lúc {time}: một ngày không có tin nhắn ({member})."
MEMBER_CLAIMED: Final = (
    "Bạn đã nhận **phiếu #{id}**.\n{context}\n\nTừ giờ, tin bạn nhắn ở đây được chuyển tới "
    "người dân, ký tên «{member}». 🔒 Trợ lý tự che mã OTP, mật khẩu và số thẻ. Xong việc, "
    "bấm «✅ Xong» hoặc gõ /xong."
)
FROM_RESIDENT: Final = "💬 Người dân (phiếu #{id}): {text}"
PHONE_TO_MEMBER: Final = "📞 Người dân đồng ý cho bạn số điện thoại: {phones}"
RESIDENT_LEFT: Final = "↩️ Người dân đã quay lại trợ lý. Phiếu #{id} đã đóng."
IDLE_CLOSED: Final = (
    "⌛ Phiếu #{id} đã tự đóng: một ngày không có tin nhắn, và người dân vừa nhắn cho trợ lý."
)
MEMBER_CLOSED: Final = "✅ Đã đóng phiếu #{id}. Cảm ơn bạn!"
NOW_ON: Final = "Bạn đang tiếp phiếu #{id}: tin bạn nhắn ở đây sẽ đến người dân của phiếu này."
MEMBER_SECRET: Final = "🔒 Trợ lý đã che mã số, mật khẩu hay số thẻ trong tin của bạn."
NOT_YOURS: Final = "Phiếu #{id} không còn do bạn tiếp nữa."
ALERT_CLAIMED: Final = (
    "Bạn đã nhận phiếu #{id}. Mời bạn trả lời người dân trong chat riêng với trợ lý."
)
ALERT_TAKEN: Final = "{member} đã nhận phiếu này rồi."
ALERT_CLOSED: Final = "Phiếu này đã đóng."
ALERT_NOT_MEMBER: Final = (
    "Bạn chưa tham gia tổ trên trợ lý. Nhờ người quản lý tạo mã tham gia cho bạn, rồi mở "
    "đường dẫn t.me/{bot}?start=join-<mã>."
)
ALERT_BUSY: Final = "Bạn đang chờ tổ hỗ trợ cho chính mình, nên chưa nhận phiếu được."
LINKED: Final = (
    "✅ Nhóm này đã được liên kết với {team} ({unit}). Khi người dân cần giúp, phiếu sẽ được "
    "gửi vào đây với nút «🙋 Tôi nhận».\nMỗi thành viên hãy tham gia tổ bằng mã riêng: mở "
    "t.me/{bot}?start=join-<mã>."
)
LINK_BAD: Final = "❌ Mã liên kết không đúng, đã dùng hoặc đã hết hạn. Hãy xin mã mới."
LINK_USAGE: Final = "Cách dùng: /lienket <mã> (mã do người quản lý tạo)."
LINK_IN_GROUP: Final = "Lệnh /lienket dùng trong nhóm Telegram của tổ ạ."
JOINED: Final = (
    "✅ Chào {name}! Bạn đã tham gia {team} ({unit}) trên trợ lý số.\nKhi có người dân cần "
    "giúp, phiếu hiện trong nhóm của tổ với nút «🙋 Tôi nhận». Bấm nhận, rồi trả lời người dân "
    "ngay tại đây; gõ /xong khi xong."
)
JOIN_BAD: Final = "❌ Mã tham gia không đúng, đã dùng hoặc đã hết hạn. Hãy xin mã mới."
