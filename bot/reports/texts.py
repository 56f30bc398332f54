"""What members and teams read (Vietnamese)."""

NOTICE_COMPLETED = "Một người dân anh/chị gửi hướng dẫn «{title}» vừa làm xong 🎉"
NOTICE_PENDING = ("Một người dân anh/chị gửi hướng dẫn «{title}» đã làm xong phần của mình "
                  "(phần còn lại chờ cơ quan xử lý).")
NOTICE_OFF_HINT = "Không muốn nhận tin này nữa: gửi /thongbao tat"

SAFETY_LINE = "Không bao giờ đọc mã OTP, mật khẩu cho bất kỳ ai, kể cả người xưng là cán bộ."
HANDOUT_SCAN = "Quét mã bằng camera điện thoại để được hướng dẫn từng bước"
HANDOUT_WEB = "Trên web"
HANDOUT_TELEGRAM = "Trên Telegram"
HANDOUT_CODE = "Mã hướng dẫn: {code}"
HANDOUT_HELP = "Cần giúp? {team} · {phone}"
HANDOUT_HELP_NO_PHONE = "Cần giúp? {team}"

SHARE_USAGE = ("Gửi /chiase kèm từ khóa của hướng dẫn, ví dụ: /chiase vneid\n"
               "Bot sẽ gửi đường link riêng của anh/chị và mã QR để in hoặc chia sẻ.")
SHARE_PRIVATE = "Anh/chị hãy nhắn /chiase cho bot trong tin nhắn riêng nhé."
SHARE_NOT_MEMBER = ("Tài khoản Telegram này chưa là thành viên tổ nào. Anh/chị hãy xin tổ "
                    "một mã tham gia rồi bấm đường link tham gia trước.")
SHARE_NOT_FOUND = ("Không tìm thấy hướng dẫn nào khớp «{query}». Thử từ khóa khác, ví dụ: "
                   "vneid, vssid, 4g.")
SHARE_LINKS = ("🔗 «{title}» — link riêng của anh/chị ({unit}):\n"
               "Web: {web}\n{telegram}Mã: {code}\n"
               "Người dân làm theo link này được tính cho anh/chị và tổ.")
SHARE_MORE = "Còn {n} hướng dẫn khác khớp từ khóa; gõ từ khóa cụ thể hơn để xem."

NOTIFY_USAGE = "Gửi /thongbao tat để tắt, /thongbao bat để bật lại tin báo khi người dân làm xong."
NOTIFY_OFF = "Đã tắt tin báo khi người dân làm xong hướng dẫn anh/chị gửi."
NOTIFY_ON = "Đã bật tin báo khi người dân làm xong hướng dẫn anh/chị gửi."

STATS_TITLE = "📊 Kết quả {unit}"
STATS_LINE = ("{label}: {reached} người dân, {started} lượt bắt đầu, {finished} lượt làm xong, "
              "{confirmed} xác nhận 👍")
STATS_MINE = "Qua link của anh/chị ({label}): {started} lượt bắt đầu, {finished} lượt làm xong"
THIS_MONTH = "Tháng này"
LAST_MONTH = "Tháng trước"

WEEKLY_TITLE = "📅 Tóm tắt tuần {first} – {last} · {unit}"
WEEKLY_LINE = ("Người dân được hỗ trợ: {reached}\nLượt bắt đầu: {started} · làm xong: {finished} "
               "· xác nhận 👍: {confirmed}\nYêu cầu hỗ trợ: {opened} mở · {claimed} được nhận · "
               "{resolved} đã xong")
WEEKLY_WEAK = "Bước nhiều người dừng nhất: «{title}» – {step}"
WEEKLY_OFF_HINT = "Tắt tóm tắt hằng tuần: trưởng tổ vào trang Kết quả trên trang quản trị."
