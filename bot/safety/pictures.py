"""Scam signals in the text read from a picture: a forwarded SMS or chat message.

The same rules as typed text (:func:`bot.safety.signals.check`), with three differences that
come from the picture being a message the resident *received*, not their own words:

* the official sites (``….gov.vn``) are taken out first, so the real approval SMS ("… truy cập
  ứng dụng VNeID hoặc địa chỉ https://vneid.gov.vn để kích hoạt tài khoản") is not a warning;
* any other web address is a stranger's link;
* the signals of harm the resident has done ("lỡ đọc OTP", "đã mất tiền") do not apply: a bank
  SMS saying "tài khoản bị trừ tiền" is not the resident saying so, and "em chuyển nhầm" is
  the sender claiming a wrong transfer (the "chuyển nhầm" scam), not the resident.

A signal found on one or two adjacent lines is *local*: the engine warns about it even on a
screen it recognises, where words from unrelated lines could otherwise add up to a signal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safety.concepts import any_of
from bot.safety.signals import ScamCheck, Signal, check
from bot.text import fold, normalize

# A web address: a scheme or "www.", or a name with a dot and a known kind of ending.
_ADDRESS = re.compile(
    r"(?:https?://|www\.)[^\s<>«»\"']+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|info|top|xyz|vip|cc|me|io|link"
    r"|site|online|shop|vn|app|ly|co|biz|club|live|pro)\b(?:/[^\s<>«»\"']*)?",
    re.IGNORECASE)
_OFFICIAL = re.compile(r"(?:^|\.)gov\.vn$")
_SELF_HARM = frozenset({Signal.money_lost, Signal.secret_given, Signal.app_installed,
                        Signal.sent_by_mistake})
# In a received message, "I sent it by mistake" is the sender's claim (the "chuyển nhầm" scam).
I_SENT_WRONG = any_of("toi chuyen nham", "minh chuyen nham", "em chuyen nham", "lo chuyen nham",
                      "bac chuyen nham", "tao chuyen nham", "toi ck nham", "minh ck nham",
                      "toi chuyen khoan nham", "toi gui nham", "lo tay chuyen nham",
                      "lo ck nham", "lo gui nham", "da chuyen nham")


def _host(address: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", address.lower()).split("/", 1)[0]
    return host.rstrip(".,;:)")


def odd_addresses(text: str) -> list[str]:
    """The web addresses in ``text`` that are not official ``….gov.vn`` sites."""
    return [_host(m.group(0)) for m in _ADDRESS.finditer(text)
            if not _OFFICIAL.search(_host(m.group(0)))]


def _without_official(text: str) -> str:
    return _ADDRESS.sub(lambda m: " " if _OFFICIAL.search(_host(m.group(0))) else m.group(0),
                        text)


def _windows(text: str) -> list[str]:
    """Each line, and each two lines that read on: in the same block of the OCR's output
    (blocks are separated by an empty line), or a wrapped sentence going on in lower case."""
    lines = text.splitlines()
    pairs = []
    for i, line in enumerate(lines[:-1]):
        after, gap = (lines[i + 1], False) if lines[i + 1].strip() else (
            lines[i + 2] if i + 2 < len(lines) else "", True)
        if line.strip() and after.strip() and (not gap or after.lstrip()[:1].islower()):
            pairs.append(f"{line} {after}")
    return [*(line for line in lines if line.strip()), *pairs]


@dataclass(frozen=True)
class PictureScam:
    """What is suspicious in a picture's text: the signals, the line that shows the main one
    (as read, unmasked: the caller masks it), and the odd web address, if any."""

    check: ScamCheck
    line: str = ""
    address: str | None = None
    local: bool = False  # the main signal shows on one or two adjacent lines

    @property
    def found(self) -> bool:
        return self.check.found


def _claims_wrong_transfer(text: str) -> bool:
    return any(re.search(I_SENT_WRONG, reading) for reading in (normalize(text), fold(text)))


def _signals(text: str) -> frozenset[Signal]:
    odd = bool(odd_addresses(text))
    # An odd address is a link, whatever words stand around it.
    found = set(check(_without_official(text) + (" link" if odd else "")).signals) - _SELF_HARM
    if odd:
        found.add(Signal.stranger_link)
    if _claims_wrong_transfer(text):
        found.add(Signal.wrong_transfer)
    return frozenset(found)


def check_picture(text: str) -> PictureScam:
    """The scam signals in a picture's text, and where on the picture the main one is."""
    whole = check(_without_official(text))
    signals = _signals(text)
    if not signals and whole.signals:  # only "harm done" words: still a scam message
        signals = frozenset({Signal.scam_named}) if Signal.scam_named in whole.signals \
            else frozenset()
    if not signals:
        return PictureScam(ScamCheck())
    result = ScamCheck(signals, police=whole.police)
    main = result.main
    lines = [line for line in text.splitlines() if line.strip()]
    local = next((w for w in _windows(text) if main in _signals(w)), None)
    line = local or (lines[0] if lines else "")
    addresses = odd_addresses(text)
    if main is Signal.stranger_link and addresses:
        line = next((w for w in lines if odd_addresses(w)), line)
    return PictureScam(result, line, addresses[0] if addresses else None,
                       local=local is not None or bool(addresses))
