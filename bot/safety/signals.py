"""Recognise scam signals in a resident's message, whatever the NLU says about it.

The check reads the text alone, folded (no case, no diacritics) and with teen-code expanded by
the NLU's own rules, so it answers the same while Rasa trains, is down or misreads the message.
A signal is a combination of concepts (someone unknown, a contact channel, a secret, a demand,
a promise of money...), not a list of sentences, so it covers the whole class: "có người nhắn
zalo gửi mã qr bảo quét để nhận tiền hỗ trợ", "so la goi xung cong an bao cccd bi loi",
"lo doc otp cho no r". Questions about the guides themselves ("không nhận được mã OTP",
"tạo mã QR để nhận tiền", "đăng ký có mất tiền không") must not fire: tests check both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.text import fold, normalize


class Signal(StrEnum):
    # Harm done or under way: the resident goes straight to the matching part of the guide.
    money_lost = "money_lost"  # money already gone
    secret_given = "secret_given"  # an OTP, password or card number given away
    app_installed = "app_installed"  # a stranger's link opened or app installed
    wrong_transfer = "wrong_transfer"  # "chuyển nhầm": money received that someone claims back
    # Warning signs: the resident is warned first.
    secret_asked = "secret_asked"  # someone asks for an OTP, password, ID photo
    impersonation = "impersonation"  # a caller claims to be the police, a bank, BHXH...
    stranger_link = "stranger_link"  # a stranger sends a QR code, link or file
    money_lure = "money_lure"  # "hỗ trợ Tết", prizes, pension rises, quick loans
    fake_update = "fake_update"  # "cập nhật sinh trắc học / đồng bộ VNeID" by link or call
    fake_level = "fake_level"  # "định danh mức 3", "VssID 4.0": they do not exist
    scam_named = "scam_named"  # the resident says it: "lừa đảo", "giả danh"


URGENT = (Signal.money_lost, Signal.secret_given, Signal.app_installed, Signal.wrong_transfer)
_ORDER = (*URGENT, Signal.secret_asked, Signal.fake_level, Signal.fake_update,
          Signal.stranger_link, Signal.money_lure, Signal.impersonation, Signal.scam_named)


@dataclass(frozen=True)
class ScamCheck:
    signals: frozenset[Signal] = frozenset()
    police: bool = False  # the message names the police (their impersonation leads)

    @property
    def found(self) -> bool:
        return bool(self.signals)

    @property
    def urgent(self) -> Signal | None:
        """The most urgent harm already done, if any."""
        return next((s for s in URGENT if s in self.signals), None)

    @property
    def main(self) -> Signal | None:
        """The signal to speak about first: harm done, then secrets asked and fake levels,
        then a fake police call, then the other warning signs."""
        first = next((s for s in _ORDER if s in self.signals), None)
        if (self.police and Signal.impersonation in self.signals
                and first in _ORDER[_ORDER.index(Signal.fake_update):]):
            return Signal.impersonation
        return first


def _any(*phrases: str) -> str:
    """A regex group matching any of the (folded) phrases as whole words."""
    alternatives = "|".join(sorted((re.escape(p).replace(r"\ ", " ") for p in phrases),
                                   key=len, reverse=True))
    return rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])"


def _raw(*alternatives: str) -> str:
    """Like :func:`_any`, for alternatives that are regexes themselves."""
    return rf"(?<![a-z0-9])(?:{'|'.join(alternatives)})(?![a-z0-9])"


# "tai" is "tải" (download) but also "tài" in "tài khoản" (account).
_TAI = r"tai(?! khoan)"


def _then(first: str, second: str, gap: int = 6) -> str:
    """``first`` followed by ``second`` within ``gap`` words."""
    return rf"{first}(?: \S+){{0,{gap}}} {second}"


# ---------------------------------------------------------------------------- concepts
# Folded words collide ("thang" is "thằng" and "tháng", "vay" is "vay" and "vậy"), so short
# ambiguous words only count as part of a phrase.
SOMEONE = _any("nguoi la", "so la", "so dien thoai la", "ai do", "co nguoi", "nguoi ta",
               "nguoi nao", "mot nguoi", "mot so la", "thang no", "thang do", "thang kia",
               "thang cha", "con nho", "ke gian", "ke la", "bon no", "bon lua", "bon chung",
               "chung no", "no", "ben kia", "doi tuong", "tai khoan la", "nick la", "zalo la",
               "facebook la", "fb la", "ho goi", "ho nhan", "ho gui", "ho bao", "ho bat",
               "ho doi", "cho ho", "nguoi goi", "dau so")
POLICE = _any("cong an", "canh sat", "toa an", "vien kiem sat", "an ninh", "csgt",
              "bo cong an", "dieu tra vien")
# Words that may stand between "công an" and "gọi" ("công an phường vừa gọi").
_PLACE = (r"(?: (?:xa|phuong|huyen|tinh|quan|tp|thanh pho|thi tran|vua|moi|co|da|lai|den|cu"
          r"|ben|khu vuc|ho|thi|noi|tu))*")
AUTHORITY = _any("ngan hang", "nhan vien ngan hang", "bhxh", "bao hiem xa hoi", "bao hiem",
                 "buu dien", "dien luc", "nha mang", "tong dai", "tong dai vien", "viettel",
                 "vinaphone", "mobifone", "can bo", "uy ban", "ubnd", "co quan thue",
                 "chi cuc thue", "nhan vien", "chinh quyen", "to truong")
CONTACT = _any("goi", "goi dien", "nhan tin", "nhan", "sms", "zalo", "facebook", "fb",
               "messenger", "mess", "inbox", "ket ban", "lien he", "lien lac", "video call",
               "call")
CALL = _any("goi", "goi dien", "nhan tin", "zalo", "facebook", "fb", "messenger", "mess",
            "inbox", "ket ban", "video call", "call", "sms")
CALLER = _any("nguoi goi", "so la", "nguoi la", "goi bao", "goi dien bao", "nhan tin bao",
              "goi noi", "ai do goi", "co nguoi goi", "co nguoi nhan", "goi den", "xung",
              "tu xung", "co ai goi", "ai goi", "tin nhan bao", "nhan bao")
# Reading a code out to someone is giving it away, whatever the code is called.
READ_OUT = _raw(r"(?:doc|gui|dua|cho|doc lai|noi) ma(?! qr)(?! vach)", "doc so",
                "doc cho ho", "doc cho no")
CLAIM = _any("xung", "tu xung", "tu nhan", "gia danh", "mao danh", "gia lam", "gia mao",
             "noi la", "tu gioi thieu", "bao la nguoi", "nhan la")
SECRET = _any("otp", "ma otp", "ma xac thuc", "ma xac nhan", "mat khau", "passcode", "ma pin",
              "pin", "cvv", "ma cvv", "so the", "ma bao mat", "anh can cuoc", "anh cccd",
              "anh the", "chup can cuoc", "chup cccd", "chup hai mat", "chup the", "ma code",
              "code", "mat ma", "smart otp", "ma giao dich", "ma kich hoat", "ma do", "ma so do")
GIVE = _any("doc", "dua", "gui", "cung cap", "noi", "khai", "nhap", "chup", "cho no", "cho ho",
            "gui cho", "doc cho", "dua cho")
PAST = _any("lo", "da", "vua", "trot", "roi", "lo tay", "ngu", "mat roi")
THIRD = _any("cho no", "cho ho", "cho nguoi", "cho thang", "cho ben", "cho nhan vien",
             "cho cong an", "cho ngan hang", "cho ai", "cho ong", "cho ba", "cho anh",
             "cho chi", "cho ke", "qua dien thoai", "qua zalo", "vao link", "vao trang",
             "vao web", "vao duong link", "nguoi ta", "nguoi la", "so la", "nguoi goi",
             "goi den", "xung")
ASK = _any("doi", "hoi", "xin", "yeu cau", "bat", "bao doc", "bao gui", "bao dua", "bao cho",
           "bao nhap", "muon lay", "can ma", "de nghi", "keu", "nho doc", "nho gui", "doi ma",
           "bao chup", "bat chup")
LINK = _any("link", "duong link", "duong dan", "trang web", "web", "website", "http", "https",
            "www", "file", "apk", "tep", "ung dung la", "app la", "phan mem la", "ma qr", "qr",
            "ma vach", "ung dung gia", "app gia", "trang gia")
SEND = _any("gui", "gui cho", "nhan", "send", "share", "chia se", "gui qua", "gui den",
            "quang")
RECEIVED = r"(?<!khong )(?<!chua )(?<![a-z0-9])nhan (?:duoc|dc)(?![a-z0-9])"
DO = _raw("quet", "bam", "an", "cai", _TAI, "vao", "mo", "click", "nhan vao", "cham",
          "truy cap", "dang nhap")
BAIT_DO = _any("quet", "bam", "an vao", "click", "nhan vao", "cham", "truy cap", "vao link")
INSTRUCT = _any("bao", "bat", "keu", "yeu cau", "xui", "du do", "huong dan", "de nghi",
                "doi")
INSTALL = _raw("cai", _TAI, "cai dat", "tai ve", "download", "setup")
APP = _any("app", "ung dung", "phan mem", "file", "apk", "tep", "ultraview", "ultraviewer",
           "teamviewer", "anydesk")
APP_SUSPECT = _any("app la", "ung dung la", "phan mem la", "file la", "theo link", "qua link",
                   "tu link", "trong link", "no gui", "ho gui", "nguoi ta gui", "duoc gui",
                   "theo huong dan", "app gia", "ung dung gia", "apk", "ultraview",
                   "ultraviewer", "teamviewer", "anydesk", "vssid 4", "vneid gia", "tren zalo",
                   "qua zalo", "link")
OPEN = _any("bam", "an", "nhan", "click", "mo", "vao", "truy cap", "cham")
RECEIVE_MONEY = _any("nhan tien", "nhan qua", "nhan thuong", "nhan ho tro", "nhan luong",
                     "hoan tien", "nhan lai tien", "lanh tien", "nhan tro cap", "nhan li xi",
                     "nhan giai")
LURE = _any("trung thuong", "trung giai", "qua tang", "nhan qua", "tang luong huu",
            "viec nhe luong cao", "lam nhiem vu", "chot don", "hoa hong",
            "rut bhxh mot lan", "rut bao hiem xa hoi mot lan", "rut bao hiem mot lan",
            "rut bhxh nhanh", "rut bao hiem nhanh", "nhan tien ho tro", "tien ho tro",
            "ho tro tet", "tien tet", "tro cap that nghiep nhanh", "vay nhanh", "vay online",
            "vay tien online", "vay qua app", "vay khong the chap", "giai ngan", "boc tham",
            "tri an khach hang", "nhan li xi", "li xi tet", "goi ho tro", "nhan ho tro")
LURE_SOFT = _any("tro cap", "hoan tien", "khuyen mai", "uu dai", "tien thuong", "phan thuong",
                 "li xi", "vay tien", "cho vay", "khoan vay", "tang luong")
FEE = _any("phi", "le phi", "dat coc", "tien coc", "nop tien", "chuyen tien", "chuyen khoan",
           "nap tien", "dong phi", "nop phi", "tien phat")
FEE_ASKED = _any("phi", "le phi", "dat coc", "tien coc", "nop tien", "dong phi", "nop phi",
                 "tien phat")
# Someone reaching the resident (not the resident reaching out: "nhận tin nhắn" is neutral).
CALL_IN = _any("goi", "goi dien", "zalo", "facebook", "fb", "messenger", "ket ban",
               "video call", "call")
UPDATE = _any("cap nhat", "xac thuc lai", "xac minh", "dong bo", "kich hoat", "nang cap",
              "sua", "chuan hoa", "tich hop", "dang ky lai", "xac thuc", "lam lai", "bo sung")
UPDATE_OBJ = _any("sinh trac", "sinh trac hoc", "khuon mat", "van tay", "thong tin",
                  "tai khoan", "vneid", "vssid", "dinh danh", "dinh danh dien tu", "can cuoc",
                  "cccd", "thuong tru", "cu tru", "sim", "thue bao", "muc 2", "bhyt",
                  "bao hiem y te", "chip", "du lieu")
THREAT = _any("bi khoa", "khoa tai khoan", "khoa the", "bi phat", "phat", "cat dien",
              "cat nuoc", "cat song", "thu hoi", "vo hieu", "dieu tra", "bat giam", "rua tien",
              "ma tuy", "vu an", "tam dung", "dong bang", "phong toa", "khoa sim", "bi cat")
IF_NOT = _any("neu khong", "khong lam thi", "khong thi", "thi bi", "se bi", "khong cap nhat",
              "ko lam thi", "khong se")
DEFECT = _any("bi loi", "loi", "bi mo", "bi sai", "sai thong tin", "bi trung", "chua dong bo")
ID_THING = _any("can cuoc", "cccd", "dinh danh", "van tay", "vneid", "tai khoan dinh danh",
                "the can cuoc", "chip")
FAKE_LEVEL = _any("muc 3", "muc ba", "muc 4", "muc bon", "vssid 4 0", "vssid 4", "vneid 3 0",
                  "dinh danh cap 3")
SCAM = _any("lua dao", "bi lua", "lua tien", "scam", "gia danh", "mao danh", "gia mao",
            "ke gian", "ke lua", "bip", "chieu lua", "bi gat", "lua gat", "gat tien",
            "lua minh", "lua toi", "lua bac", "bi no lua")
LOST = _any("bi mat tien", "mat het tien", "mat sach tien", "da mat tien",
            "mat tien roi", "lo mat tien", "bi lua mat", "bi lay tien", "bi lay mat",
            "bi tru tien", "bi rut tien", "tai khoan bi rut", "tien bi rut", "bi rut sach",
            "mat trang", "het sach tien", "tien bien mat", "tien tu dong mat",
            "khong con dong nao", "bi hack tai khoan", "bi chiem tai khoan", "chiem quyen",
            "bi tru het", "mat tien trong tai khoan", "tai khoan mat tien", "lay mat tien",
            "bi cuop tien", "bay sach", "bay mat", "bi tru sach", "mat het")
AMOUNT_LOST = r"(?<![a-z0-9])mat(?: \S+){0,2} (?:trieu|ty|chuc trieu|tram trieu|cu)(?![a-z0-9])"
WORRY = _any("so", "ngai", "tranh", "phong", "lieu", "co the", "de khong", "khoi", "co bi",
             "co mat", "mat tien khong", "mat tien ko", "mat bao nhieu", "ton")
SENT_AWAY = _any("lo chuyen", "da chuyen", "trot chuyen", "vua chuyen", "lo ck", "da ck",
                 "chuyen cho no", "chuyen cho ho", "chuyen cho nguoi ta", "chuyen cho thang",
                 "chuyen tien cho no", "chuyen tien cho ho", "chuyen tien cho nguoi ta",
                 "nop tien cho no", "nop tien cho ho", "chuyen khoan cho no")
WRONG = _any("chuyen nham", "chuyen khoan nham", "ck nham", "gui nham", "nhan nham",
             "chuyen lon", "gui lon", "nham tai khoan", "nham so tai khoan", "chuyen tien nham",
             "tien chuyen nham", "nham tien", "chuyen tien lon", "ck lon")
I_SENT_WRONG = _any("toi chuyen nham", "minh chuyen nham", "em chuyen nham", "lo chuyen nham",
                    "bac chuyen nham", "tao chuyen nham", "toi ck nham", "minh ck nham",
                    "toi chuyen khoan nham", "toi gui nham", "lo tay chuyen nham",
                    "lo ck nham", "lo gui nham", "da chuyen nham")
REMOTE = _any("ultraview", "ultraviewer", "teamviewer", "anydesk", "dieu khien dien thoai",
              "dieu khien tu xa", "dien thoai tu bam", "man hinh tu chay", "chia se man hinh")


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def _money_lost(t: str) -> bool:
    if _has(I_SENT_WRONG, t):
        return True
    if _has(WORRY, t) and not _has(_any("roi", "da mat", "mat roi", "lo"), t):
        return False
    return (_has(LOST, t) or _has(AMOUNT_LOST, t)
            or (_has(SCAM, t) and _has(_any("chuyen", "ck", "tien", "trieu", "mat"), t)
                and _has(PAST, t))
            or (_has(SENT_AWAY, t) and (_has(SOMEONE, t) or _has(SCAM, t) or _has(THIRD, t))))


def _secret_given(t: str) -> bool:
    gave = _has(_then(GIVE, SECRET, 4), t) or _has(_then(SECRET, GIVE, 4), t)
    return gave and _has(PAST, t) and (_has(THIRD, t) or _has(SOMEONE, t) or _has(CALL, t)
                                       or _has(POLICE, t))


def _secret_asked(t: str) -> bool:
    asked = (_has(_then(ASK, SECRET, 5), t) or _has(_then(SECRET, ASK, 3), t)
             or _has(READ_OUT, t))
    who = (_has(SOMEONE, t) or _has(CALL, t) or _has(POLICE, t) or _has(CLAIM, t)
           or _has(CALLER, t) or _has(_then(AUTHORITY, CONTACT, 3), t))
    return asked and who


def _impersonation(t: str) -> bool:
    if _has(_then(CLAIM, rf"(?:{POLICE}|{AUTHORITY})", 3), t):
        return True
    if _has(rf"{POLICE}{_PLACE} {CALL}", t) or _has(rf"{POLICE}{_PLACE} nhan(?![a-z0-9])", t):
        return True
    if _has(_then(_any("so la", "nguoi la", "ai do", "co nguoi"), POLICE, 4), t):
        return True
    demand = rf"(?:{ASK}|{INSTRUCT}|{SECRET}|{LINK}|{UPDATE}|{FEE}|{INSTALL})"
    target = rf"(?:{SECRET}|{LINK}|{THREAT}|{FEE}|{INSTALL}|{UPDATE}|ket ban)"
    return _has(_then(AUTHORITY, CONTACT, 3), t) and _has(demand, t) and _has(target, t)


def _stranger_link(t: str) -> bool:
    if _has(REMOTE, t):
        return True
    if not _has(LINK, t):
        return False
    sent = (_has(_then(SOMEONE, SEND, 5), t) or _has(RECEIVED, t)
            or _has(_then(rf"(?:{POLICE}|{AUTHORITY})", rf"(?:{SEND}|{CALL})", 3), t))
    told = _has(_then(INSTRUCT, DO, 3), t) and (_has(SOMEONE, t) or _has(CALL, t))
    bait = _has(_then(BAIT_DO, RECEIVE_MONEY, 6), t)
    threat = _has(THREAT, t) and _has(_then(DO, LINK, 2), t)  # "bị khóa, vào link mở khóa"
    return sent or told or bait or threat


def _money_lure(t: str) -> bool:
    if _has(LURE, t):
        return True
    context = (_has(LINK, t) or _has(SECRET, t) or _has(FEE, t) or _has(SOMEONE, t)
               or _has(CALL, t))
    return _has(LURE_SOFT, t) and context


def _fake_update(t: str) -> bool:
    update = _has(_then(UPDATE, UPDATE_OBJ, 4), t)
    pressure = (_has(LINK, t) or _has(SOMEONE, t) or _has(CALL_IN, t) or _has(CALLER, t)
                or _has(_any("bat", "bat phai", "ep"), t) or _has(FEE_ASKED, t)
                or _has(_then(IF_NOT, THREAT, 4), t)
                or _has(_then(rf"(?:{POLICE}|{AUTHORITY})", CONTACT, 3), t))
    defect = _has(_then(ID_THING, DEFECT, 3), t) and (
        _has(CALLER, t) or _has(POLICE, t) or _has(CLAIM, t)
        or _has(_then(AUTHORITY, CONTACT, 3), t))
    return (update and pressure) or defect


def _app_installed(t: str) -> bool:
    installed = _has(_then(INSTALL, APP, 4), t) and _has(APP_SUSPECT, t)
    opened = _has(_then(OPEN, _any("link", "duong link", "duong dan", "trang web la",
                                   "ma qr la", "trang gia"), 3), t)
    return (installed or opened or _has(REMOTE, t)) and _has(PAST, t)


def _wrong_transfer(t: str) -> bool:
    return _has(WRONG, t) and not _has(I_SENT_WRONG, t)


_RULES = (
    (Signal.money_lost, _money_lost),
    (Signal.secret_given, _secret_given),
    (Signal.app_installed, _app_installed),
    (Signal.wrong_transfer, _wrong_transfer),
    (Signal.secret_asked, _secret_asked),
    (Signal.impersonation, _impersonation),
    (Signal.stranger_link, _stranger_link),
    (Signal.money_lure, _money_lure),
    (Signal.fake_update, _fake_update),
    (Signal.fake_level, lambda t: _has(FAKE_LEVEL, t)),
    (Signal.scam_named, lambda t: _has(SCAM, t)),
)


def check(text: str) -> ScamCheck:
    """The scam signals in ``text`` (empty when none)."""
    # Two readings: with teen-code expanded ("ko" -> "khong"), and folded only, because a
    # few short forms are ambiguous here ("ck" is "chuyển khoản", not "chồng").
    readings = {normalize(text), fold(text)}
    found = {signal for signal, rule in _RULES for t in readings if t and rule(t)}
    return ScamCheck(frozenset(found), police=any(_has(POLICE, t) for t in readings))
