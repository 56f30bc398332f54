"""The words of the scam check: concepts as regexes over folded text (no case, no diacritics).

Folded words collide ("thang" is "thằng" and "tháng", "bao" is "bảo" and "báo", "doi" is
"đòi" and "đổi"), so short ambiguous words only count as part of a phrase. "nó" alone is
often the app ("nó gửi mã về máy cũ"), so it is a person only when it acts like one (calls,
texts, claims to be someone).
"""

from __future__ import annotations

import re


def any_of(*phrases: str) -> str:
    """A regex group matching any of the (folded) phrases as whole words."""
    alternatives = "|".join(sorted((re.escape(p).replace(r"\ ", " ") for p in phrases),
                                   key=len, reverse=True))
    return rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])"


def raw(*alternatives: str) -> str:
    """Like :func:`any_of`, for alternatives that are regexes themselves."""
    return rf"(?<![a-z0-9])(?:{'|'.join(alternatives)})(?![a-z0-9])"


# "tai" is "tải" (download) but also "tài" in "tài khoản" (account).
_TAI = r"tai(?! khoan)"


def either(*patterns: str) -> str:
    """Any of these regexes (one group, so it can stand inside a longer pattern)."""
    return f"(?:{'|'.join(patterns)})"


def then(first: str, second: str, gap: int = 6) -> str:
    """``first`` followed by ``second`` within ``gap`` words."""
    return rf"{first}(?: \S+){{0,{gap}}} {second}"


def has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


# ---------------------------------------------------------------------------- concepts
# People other than the resident, their family and the app.
SOMEONE = any_of("nguoi la", "so la", "so dien thoai la", "ai do", "co nguoi", "nguoi ta",
               "nguoi nao", "mot nguoi", "mot so la", "thang no", "thang do", "thang kia",
               "thang cha", "con nho", "ke gian", "ke la", "bon no", "bon lua", "bon chung",
               "chung no", "ben kia", "doi tuong", "tai khoan la", "nick la", "zalo la",
               "facebook la", "fb la", "ho goi", "ho nhan", "ho gui", "ho bao", "ho bat",
               "ho doi", "cho ho", "nguoi goi", "dau so", "thang goi", "ong goi", "ba goi",
               "co ong", "co ba", "co dua", "co thang", "con do", "lao do", "nguoi xung",
               "cho no", "no goi", "no nhan tin", "no nhan zalo", "no xung", "no ket ban",
               "no bao doc", "no bat doc", "no doi doc", "no lua", "no lay", "no chan",
               "no khoa may", "cuoc goi", "cuoc goi la", "tin nhan la", "ong xung", "ben cho vay")
POLICE = any_of("cong an", "canh sat", "toa an", "vien kiem sat", "an ninh", "csgt",
              "bo cong an", "dieu tra vien")
# Words that may stand between "công an" and "gọi" ("công an phường vừa gọi").
PLACE = (r"(?: (?:xa|phuong|huyen|tinh|quan|tp|thanh pho|thi tran|vua|moi|co|da|lai|den|cu"
          r"|ben|khu vuc|ho|thi|noi|tu))*")
AUTHORITY = any_of("ngan hang", "nhan vien ngan hang", "bhxh", "bao hiem xa hoi", "bao hiem",
                 "buu dien", "dien luc", "nha mang", "tong dai", "tong dai vien", "viettel",
                 "vinaphone", "mobifone", "can bo", "uy ban", "ubnd", "co quan thue",
                 "chi cuc thue", "nhan vien", "chinh quyen", "to truong")
# "nhan" alone is "nhắn" (texted) but also "nhận" ("cơ quan tiếp nhận", "xác nhận").
CONTACT = either(raw(r"(?<!tiep )(?<!xac )nhan(?! vien| duoc| dc)"), any_of(
               "goi", "goi dien", "nhan tin", "sms", "zalo", "facebook", "fb",
               "messenger", "mess", "inbox", "ket ban", "lien he", "lien lac", "video call",
               "call"))
CALL = any_of("goi", "goi dien", "nhan tin", "zalo", "facebook", "fb", "messenger", "mess",
            "inbox", "ket ban", "video call", "call", "sms")
CALLER = any_of("nguoi goi", "no goi", "thang goi", "ong goi", "cuoc goi", "so la", "nguoi la",
                "goi bao", "goi dien bao", "nhan tin bao",
              "goi noi", "ai do goi", "co nguoi goi", "co nguoi nhan", "goi den", "xung",
              "tu xung", "co ai goi", "ai goi", "goi doi", "goi bat", "goi de doa", "goi doa")
# Reading a code out to someone is giving it away, whatever the code is called ("đọc cho nó
# cái mã 6 số", "đọc 6 số trong tin nhắn"); sending one too, unless it comes *to* the phone
# ("nó gửi mã về máy cũ").
_CODE = r"(?:ma|so|otp|mat khau|passcode|mk|\d so|sau so|bon so)(?! qr| vach| ve| dien thoai)"
READ_OUT = raw(rf"(?:doc|doc lai|noi|dua|gui|cho biet)(?: cho \S+(?: \S+)?)?"
                rf"(?: (?:cai|het|ca|luon|lai|cac|may|con|cai ma|ma))? {_CODE}",
                "doc cho ho", "doc cho no", "doc cho nguoi ta", "doc cho thang",
                rf"cho (?:no|ho|nguoi la|nguoi ta|thang \S+|ong \S+|ba \S+|ben \S+) {_CODE}")
CLAIM = any_of("xung", "tu xung", "tu nhan", "gia danh", "mao danh", "gia lam", "gia mao",
             "noi la", "tu gioi thieu", "bao la nguoi", "nhan la")
SECRET = any_of("otp", "ma otp", "ma xac thuc", "ma xac nhan", "mat khau", "passcode", "ma pin",
              "pin", "cvv", "ma cvv", "so the", "ma bao mat", "anh can cuoc", "anh cccd",
              "anh the", "chup can cuoc", "chup cccd", "chup hai mat", "chup the", "ma code",
              "code", "mat ma", "smart otp", "ma giao dich", "ma kich hoat", "ma do", "ma so do",
              "ma 6 so", "6 so", "sau so", "ma so", "ma trong tin nhan", "so trong tin nhan",
              "ma xac minh", "mk", "so tai khoan va mat khau", "tai khoan mat khau",
              "hinh can cuoc", "hinh cccd", "2 mat can cuoc", "hai mat can cuoc",
              "anh 2 mat", "hinh 2 mat")
# Giving away (typing a code into one's own app is not: "nhập" counts only into a link).
GIVE = either(any_of("doc", "dua", "gui", "cung cap", "noi", "khai", "chup", "cho no", "cho ho",
              "gui cho", "doc cho", "dua cho", "cho biet"),
              raw(r"cho(?: \S+){1,2} biet"))
INCOMING = raw(r"(?:gui|nhan|ve|den|toi)(?: \S+){0,2} ve (?:may|so|dien thoai|sdt|dt|email)",
                r"gui ve", r"nhan ve", r"ve may")
# Done already: said, or shown by what followed ("giờ máy tự mở app", "giờ làm sao").
PAST = any_of("lo", "da", "vua", "trot", "roi", "r", "lo tay", "ngu", "mat roi", "gio lam sao",
              "gio sao", "gio phai lam sao", "tu mo", "tu chay", "tu bam", "may nong",
              "bi dieu khien", "man hinh tu")
THIRD = any_of("cho no", "cho ho", "cho nguoi", "cho thang", "cho ben", "cho nhan vien",
             "cho cong an", "cho ngan hang", "cho ai", "cho ong", "cho ba", "cho anh",
             "cho chi", "cho ke", "qua dien thoai", "qua zalo", "nguoi ta", "nguoi la",
             "so la", "nguoi goi", "goi den", "xung", "qua facebook", "qua messenger")
ASK = any_of("doi", "hoi", "xin", "yeu cau", "bat", "bao doc", "bao gui", "bao dua", "bao cho",
           "bao nhap", "muon lay", "can ma", "de nghi", "keu", "nho doc", "nho gui", "doi ma",
           "bao chup", "bat chup")
LINK = any_of("link", "duong link", "duong dan", "trang web", "web", "website", "http", "https",
            "www", "file", "apk", "tep", "ung dung la", "app la", "phan mem la", "ma qr", "qr",
            "ma vach", "ung dung gia", "app gia", "trang gia")
# A link that is not a QR code (a QR sent to be paid is how relatives and shops ask for money).
WEB_LINK = any_of("link", "duong link", "duong dan", "trang web", "web", "website", "http",
                  "https", "www", "file", "apk", "tep", "ung dung la", "app la", "phan mem la",
                  "ung dung gia", "app gia", "trang gia")
# The official places: a link there is no sign ("kích hoạt trên web vneid.gov.vn").
OFFICIAL = any_of("gov vn", "ch play", "app store", "play store", "cua hang ung dung")
SEND = any_of("gui", "gui cho", "nhan", "send", "share", "chia se", "gui qua", "gui den",
            "quang")
RECEIVED = r"(?<!khong )(?<!chua )(?<![a-z0-9])nhan (?:duoc|dc)(?![a-z0-9])"
DO = raw("quet", "bam", "an", "cai", _TAI, "vao", "mo", "click", "nhan vao", "cham",
          "truy cap", "dang nhap")
BAIT_DO = any_of("quet", "bam", "an vao", "click", "nhan vao", "cham", "truy cap", "vao link")
INSTRUCT = any_of("bao", "bat", "keu", "yeu cau", "xui", "du do", "huong dan", "de nghi",
                "doi")
INSTALL = raw("cai", _TAI, "cai dat", "tai ve", "download", "setup")
APP = any_of("app", "ung dung", "phan mem", "file", "apk", "tep", "ultraview", "ultraviewer",
           "teamviewer", "anydesk")
APP_SUSPECT = any_of("app la", "ung dung la", "phan mem la", "file la", "theo link", "qua link",
                   "tu link", "trong link", "no gui", "ho gui", "nguoi ta gui", "duoc gui",
                   "theo huong dan", "app gia", "ung dung gia", "apk", "ultraview",
                   "ultraviewer", "teamviewer", "anydesk", "vssid 4", "vneid gia", "tren zalo",
                   "qua zalo", "link")
OPEN = any_of("bam", "an", "nhan", "click", "mo", "vao", "truy cap", "cham")
RECEIVE_MONEY = any_of("nhan tien", "nhan qua", "nhan thuong", "nhan ho tro", "nhan luong",
                     "hoan tien", "nhan lai tien", "lanh tien", "nhan tro cap", "nhan li xi",
                     "nhan giai")
# "nhận quà" folds like "nhận qua" (received through): "xác nhận qua VNeID" is no lure.
LURE = either(raw(r"nhan qua(?! (?:vneid|vssid|zalo|app|ung dung|dien thoai|email|tin nhan|so|the|"
           r"tai khoan|ngan hang|buu dien|mang|sms|web|trang))"), any_of(
              "trung thuong", "trung giai", "qua tang", "tang luong huu",
            "viec nhe luong cao", "lam nhiem vu", "chot don", "hoa hong",
            "rut bhxh mot lan", "rut bao hiem xa hoi mot lan", "rut bao hiem mot lan",
            "rut bhxh nhanh", "rut bao hiem nhanh", "nhan tien ho tro", "tien ho tro",
            "ho tro tet", "tien tet", "tro cap that nghiep nhanh", "vay nhanh", "vay online",
            "vay tien online", "vay qua app", "vay khong the chap", "giai ngan", "boc tham",
            "tri an khach hang", "nhan li xi", "li xi tet", "goi ho tro", "nhan ho tro"))
LURE_SOFT = any_of("tro cap", "hoan tien", "khuyen mai", "uu dai", "tien thuong", "phan thuong",
                 "li xi", "vay tien", "cho vay", "khoan vay", "tang luong")
FEE = any_of("phi", "le phi", "dat coc", "tien coc", "nop tien", "chuyen tien", "chuyen khoan",
           "nap tien", "dong phi", "nop phi", "tien phat")
FEE_ASKED = any_of("phi", "le phi", "dat coc", "tien coc", "nop tien", "dong phi", "nop phi",
                 "tien phat")
# Someone reaching the resident (not the resident reaching out: "nhận tin nhắn" is neutral).
CALL_IN = any_of("goi", "goi dien", "zalo", "facebook", "fb", "messenger", "ket ban",
               "video call", "call")
UPDATE = any_of("cap nhat", "xac thuc lai", "xac minh", "dong bo", "kich hoat", "nang cap",
              "sua", "chuan hoa", "tich hop", "dang ky lai", "xac thuc", "lam lai", "bo sung")
UPDATE_OBJ = any_of("sinh trac", "sinh trac hoc", "khuon mat", "van tay", "thong tin",
                  "tai khoan", "vneid", "vssid", "dinh danh", "dinh danh dien tu", "can cuoc",
                  "cccd", "thuong tru", "cu tru", "sim", "thue bao", "muc 2", "bhyt",
                  "bao hiem y te", "chip", "du lieu")
THREAT = any_of("bi khoa", "khoa tai khoan", "khoa the", "bi phat", "phat", "cat dien",
              "cat nuoc", "cat song", "thu hoi", "vo hieu", "dieu tra", "bat giam", "rua tien",
              "ma tuy", "vu an", "tam dung", "dong bang", "phong toa", "khoa sim", "bi cat")
IF_NOT = any_of("neu khong", "khong lam thi", "khong thi", "thi bi", "se bi", "khong cap nhat",
              "ko lam thi", "khong se")
DEFECT = any_of("bi loi", "loi", "bi mo", "bi sai", "sai thong tin", "bi trung", "chua dong bo")
ID_THING = any_of("can cuoc", "cccd", "dinh danh", "van tay", "vneid", "tai khoan dinh danh",
                "the can cuoc", "chip")
FAKE_LEVEL = any_of("muc 3", "muc ba", "muc 4", "muc bon", "vssid 4 0", "vssid 4", "vneid 3 0",
                  "dinh danh cap 3")
SCAM = any_of("lua dao", "bi lua", "lua tien", "scam", "gia danh", "mao danh", "gia mao",
            "ke gian", "ke lua", "bip", "chieu lua", "bi gat", "lua gat", "gat tien",
            "lua minh", "lua toi", "lua bac", "bi no lua", "bi hack", "hack", "dan de",
            "ma qr dan de")
LOST = any_of("bi mat tien", "mat het tien", "mat sach tien", "da mat tien",
            "mat tien roi", "lo mat tien", "bi lua mat", "bi lay tien", "bi lay mat",
            "bi rut tien", "tai khoan bi rut", "tien bi rut", "bi rut sach",
            "mat trang", "het sach tien", "tien bien mat", "tien tu dong mat",
            "khong con dong nao", "bi hack tai khoan", "bi chiem tai khoan", "chiem quyen",
            "bi tru het", "mat tien trong tai khoan", "tai khoan mat tien", "lay mat tien",
            "bi cuop tien", "bay sach", "bay mat", "bi tru sach", "mat het")
# "mất 20 triệu", "mất 5 củ" (not "mật khẩu cũ": a unit needs its number; not "quét mặt").
AMOUNT_LOST = raw(r"(?<!quet )(?<!khuon )(?<!guong )mat(?: \S+){0,2} "
                  r"(?:\d+ ?(?:tr|trieu|cu|ty|k|nghin|ngan)|trieu|ty|chuc trieu|tram trieu)")
# Money taken from the resident's account ("tiền bị rút hết", "tài khoản còn 0 đồng").
# "bị trừ tiền hai lần" is a billing error, not a theft.
_TWICE = r"(?!(?: \S+)? (?:hai|2|ba|3) lan)"
TAKEN = raw(rf"bi tru tien{_TWICE}",
            r"(?:tien|tai khoan|tk|the|luong huu)(?: \S+){0,4} bi (?:rut|tru|chuyen|lay)"
            rf"{_TWICE}", r"tien(?: \S+){0,3} bi mat",
            r"bi (?:rut|tru|lay|chuyen) (?:het|sach|mat|di)", r"con(?: co)? 0 dong",
            r"mat sach", r"tien(?: \S+){0,5} (?:bay|bien mat|mat) (?:het|sach|mat)")
# The resident did what a stranger said ("nghe theo nó", "làm theo họ bảo").
FOLLOWED = raw(r"(?:nghe|lam|tin)(?: theo| loi)+ (?:no|ho|thang|nguoi ta|ben|ong|ba|lao)")
WORRY = any_of("so", "ngai", "tranh", "phong", "lieu", "co the", "de khong", "khoi", "co bi",
             "co mat", "mat tien khong", "mat tien ko", "mat bao nhieu", "ton")
SENT_AWAY = either(any_of("lo chuyen", "da chuyen", "trot chuyen", "vua chuyen", "lo ck", "da ck",
                 "chuyen cho no", "chuyen cho ho", "chuyen cho nguoi ta", "chuyen cho thang",
                 "chuyen tien cho no", "chuyen tien cho ho", "chuyen tien cho nguoi ta",
                 "nop tien cho no", "nop tien cho ho", "chuyen khoan cho no"), raw(
    r"(?:chuyen|ck|nop|gui tien)(?: \S+){0,4} (?:cho|vao (?:tk|tai khoan|stk)(?: cua)?) "
    r"(?:no|ho|thang (?:do|kia|no|lua|cha)|nguoi ta|nguoi la|ben|ke)"))
WRONG = any_of("chuyen nham", "chuyen khoan nham", "ck nham", "gui nham", "nhan nham",
             "chuyen lon", "gui lon", "nham tai khoan", "nham so tai khoan", "chuyen tien nham",
             "tien chuyen nham", "nham tien", "chuyen tien lon", "ck lon")
# Money the resident is told to send: a fine, a fee, a "safe account", an emergency.
MONEY_DEMAND = any_of("chuyen tien", "chuyen khoan", "chuyen gap", "chuyen ngay", "ck",
                      "nop tien", "nop phat", "nop phi", "dong phi", "dong tien", "tien phat",
                      "phi van chuyen", "phi ho so", "tai khoan an toan", "tai khoan tam giu",
                      "stk nay", "so tai khoan nay", "nap truoc", "nap tien", "dat coc",
                      "tien coc", "chuyen vao", "chuyen phi", "tien phi", "gui tien",
                      "gui gap")
# The resident already sent money ("lỡ chuyển", "chuyển 3 triệu rồi", "bác chuyển rồi").
TRANSFERRED = raw(r"(?:lo|da|vua|trot|nghe loi no|nghe theo|bi lua|lo tay)(?: \S+)?"
                  r" (?:chuyen|ck|nop|dong|gui tien|nap)",
                  r"(?:chuyen|ck|nop tien|dong phi|nop|dong tien|gui tien|nap tien|chuyen khoan)"
                  r"(?: \S+){0,8} (?:roi|r)")
# The resident's own transfer went to the wrong account.
OWN_MISTAKE = raw(r"(?:go|bam|nhap|dien|chon|ghi|an)(?: \S+)? (?:nham|sai|thieu|du|lon)"
                  r"(?: \S+){0,3} (?:so|ngan hang|tai khoan|stk|nguoi)",
                  r"(?:chuyen|ck|gui)(?: tien| khoan)?(?: \S+)? (?:nham|sai|lon)",
                  r"(?:nham|sai) (?:so )?tai khoan", r"nham ngan hang")
MONEY_WENT = raw(r"tien(?: \S+){0,2} (?:di|sang|qua|vao|chuyen sang|chuyen qua)(?: \S+){0,2}"
                 r" (?:nguoi khac|tai khoan khac|nguoi la|so khac|tai khoan nguoi)",
                 r"(?:lay|doi|rut) lai", r"mat roi", r"chuyen(?: \S+){0,6} roi",
                 r"(?:lo|da|vua|lo tay) (?:chuyen|ck|gui)", r"chuyen(?: tien)? cho nguoi la",
                 r"tien di mat", r"di mat roi")
# Someone says they sent money to the resident by mistake and wants it back.
INCOMING_WRONG = raw(r"vao (?:tai khoan|tk|so tai khoan|stk)(?: cua)? (?:toi|bac|minh|em|tao|"
                     r"me|co|chu|ba|ong|nha)", r"chuyen vao (?:tk|tai khoan)(?: \S+){0,4} "
                     r"(?:doi|bat|bao) (?:tra|lai)", r"(?:doi|bao|bat|yeu cau) (?:tra|chuyen tra|"
                     r"hoan|gui tra)", r"tra lai", r"hoan lai", r"nhan nham",
                     r"(?:co nguoi|ai do|nguoi ta|nguoi la|so la|no|ho|thang do) "
                     r"(?:\S+ )?(?:chuyen|ck|gui)(?: tien| khoan)? nham",
                     r"chuyen nham(?: \S+){0,4} (?:cho|vao) (?:toi|bac|minh|em)")
# An invitation to come in person is how real offices work ("công an xã hẹn lên làm mức 2").
IN_PERSON = raw(r"(?:goi|moi|hen|bao)(?: \S+){0,2} (?:len|ra|den|toi)(?: \S+){0,3}"
                r" (?:xa|phuong|tru so|cong an|uy ban|ubnd|ngan hang|quay|cua hang|"
                r"chi nhanh|buu dien|nha van hoa|lay|lam|chup)")
REMOTE = any_of("ultraview", "ultraviewer", "teamviewer", "anydesk", "dieu khien dien thoai",
              "dieu khien tu xa", "dien thoai tu bam", "man hinh tu chay", "chia se man hinh")


