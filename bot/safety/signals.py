"""Recognise scam signals in a resident's message, whatever the NLU says about it.

The check reads the text alone, folded (no case, no diacritics) and with teen-code expanded by
the NLU's own rules, so it answers the same while Rasa trains, is down or misreads the message.
It judges situations, not words: an OTP, a password, a bank, the police, a link or money being
*mentioned* is no sign ("nó gửi otp về máy cũ", "nó bắt đặt mật khẩu có chữ hoa", "công an xã
hẹn làm mức 2", "ngân hàng gửi mã otp khi chuyển tiền"). A sign is someone other than the
resident acting: a stranger or caller who asks for a code, claims to be an official, threatens,
sends a link or QR code, promises money or demands it. Harm already done is such a situation
plus the resident's own past act (a code read out, a link opened, money sent), and a mistaken
transfer of the resident's own is told apart from a stranger's "chuyển nhầm" trick. The sets
in ``tests/safety/`` and ``python -m bot bench safety`` measure both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.safety.concepts import (
    AMOUNT_LOST,
    APP,
    APP_SUSPECT,
    ASK,
    AUTHORITY,
    BAIT_DO,
    CALL,
    CALL_IN,
    CALLER,
    CLAIM,
    CONTACT,
    DEFECT,
    DO,
    FAKE_LEVEL,
    FEE,
    FEE_ASKED,
    FOLLOWED,
    GIVE,
    ID_THING,
    IF_NOT,
    IN_PERSON,
    INCOMING,
    INCOMING_WRONG,
    INSTALL,
    INSTRUCT,
    LINK,
    LOST,
    LURE,
    LURE_SOFT,
    MONEY_DEMAND,
    MONEY_WENT,
    OFFICIAL,
    OPEN,
    OWN_MISTAKE,
    PAST,
    PLACE,
    POLICE,
    READ_OUT,
    RECEIVE_MONEY,
    RECEIVED,
    REMOTE,
    SCAM,
    SECRET,
    SEND,
    SENT_AWAY,
    SOMEONE,
    TAKEN,
    THIRD,
    THREAT,
    TRANSFERRED,
    UPDATE,
    UPDATE_OBJ,
    WEB_LINK,
    WORRY,
    WRONG,
    any_of,
    has,
    raw,
    then,
)
from bot.text import fold, normalize


class Signal(StrEnum):
    # Harm done or under way: the resident goes straight to the matching part of a guide.
    money_lost = "money_lost"  # money already gone to someone else's trick
    app_installed = "app_installed"  # a stranger's link opened or app installed
    secret_given = "secret_given"  # an OTP, password or card number given away
    wrong_transfer = "wrong_transfer"  # "chuyển nhầm": money received that someone claims back
    sent_by_mistake = "sent_by_mistake"  # the resident's own transfer went to a wrong account
    # Warning signs: the resident is warned first.
    secret_asked = "secret_asked"  # someone asks for an OTP, password, ID photo
    impersonation = "impersonation"  # a caller claims to be the police, a bank, BHXH...
    money_asked = "money_asked"  # a caller or stranger demands a transfer, a fine, a fee
    stranger_link = "stranger_link"  # a stranger sends a QR code, link or file
    money_lure = "money_lure"  # "hỗ trợ Tết", prizes, pension rises, quick loans
    fake_update = "fake_update"  # "cập nhật sinh trắc học / đồng bộ VNeID" by link or call
    fake_level = "fake_level"  # "định danh mức 3", "VssID 4.0": they do not exist
    scam_named = "scam_named"  # the resident says it: "lừa đảo", "giả danh"


URGENT = (Signal.money_lost, Signal.app_installed, Signal.secret_given, Signal.wrong_transfer,
          Signal.sent_by_mistake)
WARNINGS = (Signal.secret_asked, Signal.fake_level, Signal.fake_update, Signal.stranger_link,
            Signal.money_lure, Signal.money_asked, Signal.impersonation, Signal.scam_named)
_ORDER = (*URGENT, *WARNINGS)


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


# ---------------------------------------------------------------------------- who acts
def _stranger(t: str) -> bool:
    """Someone other than the resident, their family and the app is in the story."""
    return (has(SOMEONE, t) or has(CALLER, t) or has(CLAIM, t)
            or has(then(any_of("so la", "nguoi la", "ai do", "co nguoi"), POLICE, 4), t))


def _official_reached_out(t: str) -> bool:
    """An official (or someone said to be one) called or texted the resident."""
    return (has(rf"{POLICE}{PLACE} {CALL}", t) or has(rf"{POLICE}{PLACE} nhan(?![a-z0-9])", t)
            or has(then(AUTHORITY, CONTACT, 3), t))


# ---------------------------------------------------------------------------- warning signs
def _secret_asked(t: str) -> bool:
    asked = (has(then(ASK, SECRET, 5), t) or has(then(SECRET, ASK, 3), t)
             or has(READ_OUT, t))
    return asked and (_stranger(t) or has(CALL, t) or has(POLICE, t)
                      or _official_reached_out(t))


def _impersonation(t: str) -> bool:
    if has(then(CLAIM, rf"(?:{POLICE}|{AUTHORITY})", 3), t):
        return True
    if has(any_of("cong an gia", "gia cong an", "cong an dom", "ngan hang gia"), t):
        return True
    if has(then(any_of("so la", "nguoi la", "ai do", "co nguoi"), POLICE, 4), t):
        return True
    reached = _official_reached_out(t) or (_stranger(t) and has(CALL_IN, t))
    target = rf"(?:{SECRET}|{LINK}|{THREAT}|{FEE_ASKED}|{INSTALL}|{MONEY_DEMAND}|ket ban)"
    # Told to do something (a bank texting an OTP for the resident's own login is not).
    demand = rf"(?:{ASK}|{INSTRUCT}|{UPDATE}|{FEE_ASKED}|{INSTALL}|phai)"
    if reached and has(target, t) and has(demand, t):
        # "công an phường gọi bác lên lấy căn cước": an invitation in person, nothing asked.
        return not (has(IN_PERSON, t) and not has(rf"(?:{SECRET}|{LINK}|{THREAT}|{FEE})", t))
    return False


def _money_asked(t: str) -> bool:
    """A caller or stranger wants money sent: a fine, a debt, a fee, a relative "in hospital"."""
    caller = ((_stranger(t) and (has(CALL_IN, t) or has(any_of("nhan tin", "tin nhan"), t)))
              or _official_reached_out(t))
    told = has(then(rf"(?:{INSTRUCT}|{ASK}|phai|gap)", MONEY_DEMAND, 4), t) or has(
        then(MONEY_DEMAND, any_of("gap", "ngay", "truoc", "moi", "khong thi", "neu khong")), t)
    return caller and told and not has(IN_PERSON, t)


def _stranger_link(t: str) -> bool:
    if has(REMOTE, t):
        return True
    if not has(LINK, t):
        return False
    sent = (has(then(SOMEONE, SEND, 5), t) or has(RECEIVED, t)
            or has(then(rf"(?:{POLICE}|{AUTHORITY})", rf"(?:{SEND}|{CALL})", 3), t))
    told = has(then(INSTRUCT, DO, 3), t) and (_stranger(t) or has(CALL_IN, t))
    bait = has(then(BAIT_DO, RECEIVE_MONEY, 6), t)
    threat = has(THREAT, t) and has(then(DO, LINK, 2), t)  # "bị khóa, vào link mở khóa"
    strange = has(any_of("link la", "duong link la", "trang web la", "trang la", "ma qr la",
                         "file la", "tin nhan la"), t)
    if not has(WEB_LINK, t):  # a QR code: only with a lure, an instruction or a threat
        return strange or told or bait or threat or has(LURE, t)
    return strange or sent or told or bait or threat


def _money_lure(t: str) -> bool:
    if has(LURE, t):
        return True
    context = (has(LINK, t) or has(SECRET, t) or has(FEE, t) or _stranger(t)
               or has(CALL, t))
    return has(LURE_SOFT, t) and context


def _fake_update(t: str) -> bool:
    update = (has(then(UPDATE, UPDATE_OBJ, 4), t)
              or has(then(UPDATE, any_of("qua link", "bang link", "vao link", "qua duong link",
                                         "theo link", "qua zalo", "qua dien thoai"), 3), t))
    # The app itself asking ("app ngân hàng bắt cập nhật sinh trắc học") is no pressure; a
    # link, a caller, a fee or a threat is.
    link = has(LINK, t) and not (has(OFFICIAL, t) and not _stranger(t))
    pressure = (link or _stranger(t) or has(CALL_IN, t) or has(FEE_ASKED, t)
                or has(then(IF_NOT, THREAT, 4), t)
                or has(then(rf"(?:{POLICE}|{AUTHORITY})", CALL_IN, 3), t))
    defect = has(then(ID_THING, DEFECT, 3), t) and (
        has(CALLER, t) or has(POLICE, t) or has(CLAIM, t) or _official_reached_out(t)
        or has(then(DO, LINK, 2), t))  # "vneid bị lỗi, bấm link sửa ngay"
    caller_threat = _stranger(t) and has(CALL_IN, t) and has(THREAT, t)
    in_person = has(IN_PERSON, t) and not has(LINK, t)
    return ((update and pressure) or defect or caller_threat) and not in_person


# ---------------------------------------------------------------------------- harm done
def _money_lost(t: str, warned: bool) -> bool:
    if has(WORRY, t) and not has(any_of("roi", "da mat", "mat roi", "lo"), t):
        return False
    return (has(LOST, t) or has(AMOUNT_LOST, t) or has(TAKEN, t)
            or (has(SCAM, t) and has(any_of("chuyen", "ck", "tien", "trieu", "mat"), t)
                and has(PAST, t))
            or (has(SENT_AWAY, t) and has(PAST, t)
                and (_stranger(t) or has(SCAM, t) or has(THIRD, t)))
            or ((warned or has(FOLLOWED, t)) and has(TRANSFERRED, t)))


def _secret_given(t: str, warned: bool) -> bool:
    if not has(PAST, t):
        return False
    gave = has(READ_OUT, t) or (
        (has(then(GIVE, SECRET, 4), t) or has(then(SECRET, GIVE, 4), t))
        and not has(INCOMING, t))
    to_someone = (has(THIRD, t) or _stranger(t) or has(CALL, t) or has(POLICE, t) or warned)
    return gave and to_someone


def _app_installed(t: str, warned: bool) -> bool:
    if not has(PAST, t):
        return False
    installed = has(then(INSTALL, APP, 4), t) and has(APP_SUSPECT, t)
    link = any_of("link", "duong link", "duong dan", "trang web", "trang web la", "ma qr la",
                "trang gia", "web")
    opened = has(then(OPEN, link, 3), t) or has(then(link, rf"{OPEN}(?: vao)?", 4), t)
    scanned = has(then(any_of("quet"), any_of("ma qr", "qr", "ma"), 2), t)
    typed_in = has(then(any_of("nhap", "go", "dien"), SECRET, 4), t) and (
        has(link, t) or scanned)
    # Where the link or QR code came from: a stranger, a message, a flyer on a pole.
    suspect = (warned or _stranger(t) or has(any_of("la", "gia", "tin nhan", "zalo", "facebook",
                                                   "fb", "messenger", "to roi", "cot dien",
                                                   "dan o", "dan tren"), t)
               or has(THREAT, t) or has(LURE, t))
    return (installed or has(REMOTE, t)
            or ((opened or scanned or typed_in) and suspect and has(LINK, t)))


def _wrong_transfer(t: str) -> bool:
    """Someone sent money "by mistake" and wants it back ("người lạ chuyển vào tk rồi đòi")."""
    return (has(WRONG, t) or _stranger(t)) and has(INCOMING_WRONG, t)


# "tôi chưa chuyển nhầm", "không bấm nhầm đâu": a mistake denied, not made.
NOT_DONE = raw(r"(?:chua|khong|ko|chang|cha|hong|hok)(?: (?:co|bi|lo|he|tung))? "
               r"(?:chuyen|ck|gui|bam|go|nhap|dien|chon|ghi)")


def _sent_by_mistake(t: str) -> bool:
    """"bác bấm nhầm một số, tiền đi sang người khác mất rồi": the resident's own transfer."""
    if (has(INCOMING_WRONG, t) or (has(WORRY, t) and not has(PAST, t))
            or has(NOT_DONE, t)):
        return False
    direct = has(any_of("chuyen nham", "ck nham", "chuyen khoan nham", "chuyen tien nham",
                      "gui nham", "chuyen lon", "ck lon", "chuyen sai"), t)
    return has(OWN_MISTAKE, t) and (direct or has(MONEY_WENT, t))


_WARNING_RULES = (
    (Signal.secret_asked, _secret_asked),
    (Signal.impersonation, _impersonation),
    (Signal.money_asked, _money_asked),
    (Signal.stranger_link, _stranger_link),
    (Signal.money_lure, _money_lure),
    (Signal.fake_update, _fake_update),
    (Signal.fake_level, lambda t: has(FAKE_LEVEL, t)),
    (Signal.scam_named, lambda t: has(SCAM, t)),
)
_HARM_RULES = (
    (Signal.money_lost, _money_lost),
    (Signal.app_installed, _app_installed),
    (Signal.secret_given, _secret_given),
)


def _read(t: str) -> set[Signal]:
    found = {signal for signal, rule in _WARNING_RULES if rule(t)}
    warned = bool(found)
    found |= {signal for signal, harm in _HARM_RULES if harm(t, warned)}
    if _wrong_transfer(t):
        found.add(Signal.wrong_transfer)
    elif _sent_by_mistake(t):
        found.add(Signal.sent_by_mistake)
        found.discard(Signal.money_lost)  # nobody took it: the bank can trace it
    return found


def check(text: str) -> ScamCheck:
    """The scam signals in ``text`` (empty when none)."""
    # Two readings: with teen-code expanded ("ko" -> "khong"), and folded only, because a
    # few short forms are ambiguous here ("ck" is "chuyển khoản", not "chồng").
    readings = {normalize(text), fold(text)}
    found = set().union(*(_read(t) for t in readings if t))
    return ScamCheck(frozenset(found), police=any(has(POLICE, t) for t in readings))
