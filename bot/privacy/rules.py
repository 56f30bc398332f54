"""Where the secrets are in a text: passwords, e-mail addresses, numbers written with digits or
with words, each with its kind.

The patterns run on the folded :class:`~bot.privacy.view.View` (lower case, no diacritics,
ASCII digits). They are deliberately greedy: a year or an amount may be masked too. Losing
"2024" from an analytics row costs nothing; storing an OTP would break the residents' trust.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.privacy.view import View


class Sensitive(StrEnum):
    id_number = "id_number"
    phone = "phone"
    card = "card"
    otp = "otp"
    password = "password"
    bank_account = "bank_account"
    email = "email"


@dataclass(frozen=True)
class Found:
    start: int  # in the view
    end: int
    kind: Sensitive
    bare: bool = False  # the secret is the whole message (but for punctuation)


# Keywords that name a password for sure; whatever follows "là", ":" or "is" is the password,
# up to the end of the clause (multi-word passwords included).
_STRONG_KEY = (r"(?:mat\s*khau|mat\s*ma|pass\s*word|passcode|ma\s*pin|ma\s*bao\s*mat|"
               r"ma\s*dang\s*nhap)")
# Short forms that are also ordinary words ("mk" is "mình" in teen-code, "pin" a battery):
# only a value that looks like a password (a digit or a symbol in it) is taken.
_WEAK_KEY = r"\b(?:mk|pass|pw|pwd|pin)\b"
_SEP = r"(?:\s*[:=]\s*|\s+(?:la|is|la:|moi\s+la|cua\s+\w+\s+la)\s+)"
_FILLER = r"(?:\s+(?!la\b|is\b)[\w']+){0,8}?"
_STRONG = re.compile(rf"{_STRONG_KEY}{_FILLER}{_SEP}"
                     r"(?P<value>[^\n,;]+?)(?=\s*(?:[\n,;]|\.\s|\.?$))")
_ANY_KEY = re.compile(rf"{_STRONG_KEY}|{_WEAK_KEY}")
_TOKEN = re.compile(r"[^\S\n]*([:=]|[^\s:=]\S*)")
_WEAK_WINDOW = 10  # the keyword's next tokens looked at: up to eight words, "là", the value
_ANY_WORD = frozenset({"gi", "j", "sao", "la", "the", "nao", "dau", "khong", "chua", "roi"})
_LOOKS_SECRET = re.compile(r"\d|[^\w\s]")  # "abcxyz99", "hoa@x"; not "vssid", not "8"
_TRAILING = ".,;:!?)\"'"
_QUESTION = re.compile(r"\b(?:gi|j|sao|the nao|nhu nao|bao nhieu|o dau|khong|chua)\b|\?")

_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+")

# Digits with up to three spaces, or a dot, dash, comma or slash between them:
# "0912  345 678", "0912 - 345 - 678", "0912,345,678", "0912/345/678", "OTP583021".
_DIGITS = re.compile(r"(?:\(\+?84\)[ \t]*)?(?<!\d)\+?\d"
                     r"(?:(?:[ \t]{0,3}[.\-,/_][ \t]{0,3}|[ \t]{1,3})?\d){3,}(?!\d)")
_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])(?:/(?:19|20)\d\d)?")
# In log lines, ports, line numbers, versions and IP addresses stay readable: a number
# shorter than six digits is masked only after a word naming a code.
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.|$)){4}")
_CODE_WORD = re.compile(r"\b(?:otp|ma|code|pin|mk|pass\w*|cvv)\b")

_NUMBER_WORDS = {"khong": "0", "mot": "1", "hai": "2", "ba": "3", "bon": "4", "nam": "5",
                 "lam": "5", "sau": "6", "bay": "7", "tam": "8", "chin": "9", "zero": "0",
                 "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9"}
_WORD = rf"(?:{'|'.join(_NUMBER_WORDS)}|\d)"
# Five or more digits said as words ("bốn tám ba chín hai không"), maybe mixed with digits.
_WORD_RUN = re.compile(rf"\b{_WORD}(?:[\s,.\-]+{_WORD}){{4,}}\b")
# After a word naming a code or a password (within three words, maybe after ":" or "là"),
# three or more digits or number words are a secret: "otp: bốn tám hai chín", "mã 482",
# "PIN là 4 8 2 1". The words are whole words; digits may be glued ("4821").
_CODE_KEY = (r"\b(?:otp|passcode|pin|ma|code|mat\s*khau|mat\s*ma|mk|pass(?:word)?|pw|pwd|"
             r"cvv)\b")
_ITEM = rf"(?:\b(?:{'|'.join(_NUMBER_WORDS)})\b|\d)"
_CODE_RUN = re.compile(rf"{_CODE_KEY}(?:\s+[a-z]+){{0,3}}?(?:\s*[:=]\s*|\s+|(?=\d))"
                       rf"(?P<value>{_ITEM}(?:[\s,.\-]*{_ITEM}){{2,}})")

# Words that name the number that follows (nearest wins): "STK agribank 5100 2055 12345".
_CONTEXT = [
    (re.compile(r"\bstk|so\s*tai\s*khoan|\btk\b|tai\s*khoan|account"), Sensitive.bank_account),
    (re.compile(r"so\s*the|the\s*atm|the\s*tin\s*dung|\bcard"), Sensitive.card),
    (re.compile(r"cccd|cmnd|can\s*cuoc|dinh\s*danh"), Sensitive.id_number),
    (re.compile(r"sdt|so\s*dt|dien\s*thoai|phone|zalo|\bdt\b"), Sensitive.phone),
]
_NEAR = 28  # how far before the number a naming word counts


def classify(digits: str, before: str = "") -> Sensitive:
    """The kind of a number from its digits and the words just before it."""
    window = before[-_NEAR:]
    named = [(m.end(), kind) for pattern, kind in _CONTEXT for m in pattern.finditer(window)
             if not re.search(r"\d", window[m.end():])]
    if named and len(digits) >= 6:
        return max(named)[1]
    if digits.startswith("+84") or (len(digits) in (10, 11) and digits.startswith(("0", "84"))):
        return Sensitive.phone
    if len(digits) in (9, 12):
        return Sensitive.id_number
    if len(digits) >= 13:
        return Sensitive.card
    return Sensitive.otp


def _number(view: View, start: int, end: int, digits: str) -> Found:
    kind = classify(digits, view.text[:start])
    rest = view.text[:start] + view.text[end:]
    return Found(start, end, kind, bare=re.search(r"[^\W_]", rest) is None)  # "(583021)"


def _is_free(taken: list[Found], start: int, end: int) -> bool:
    return all(end <= f.start or start >= f.end for f in taken)


def _weak_values(text: str) -> list[tuple[int, int]]:
    """After a password keyword: whatever token follows a ``:`` or ``=`` ("pass: hoamai",
    "mk: Lua#2025"), or a ``là`` a few words on ("mk của bác là tôm_hùm"), and a value that
    looks like a password (a digit or a symbol, four
    characters or more) right after it or after a ``là`` or ``is``, within eight words
    ("mk abcxyz99", "mk ngân hàng bác đặt là Lua#2025"); not "quên mk vssid, hồi đó" nor
    "mk là nông dân" (teen-code for "mình là")."""
    found = []
    for key in _ANY_KEY.finditer(text):
        position, previous = key.end(), ""
        for n in range(_WEAK_WINDOW):
            token = _TOKEN.match(text, position)
            if token is None:
                break
            value = token[1].rstrip(_TRAILING)  # "vssid," is no password
            # whatever it holds after "pass:", or "mk của bác là": not "mk là" ("mình là")
            given = bool(previous) and (previous[-1] in ":=" or (n > 1 and previous == "la"))
            named = not previous or previous in ("la", "is")
            if (given and len(value) >= 3 and value not in _ANY_WORD) or (
                    named and len(value) >= 4 and _LOOKS_SECRET.search(value)):
                found.append((token.start(1), token.start(1) + len(value)))
                break
            position, previous = token.end(), token[1]
    return found


def find(view: View, *, log: bool = False) -> list[Found]:
    """Every secret in the view, without overlaps, in order."""
    text = view.text
    found: list[Found] = []
    for match in _STRONG.finditer(text):
        value = match["value"]
        if _QUESTION.search(value) and not _LOOKS_SECRET.search(value.replace("?", "")):
            continue  # "mật khẩu là gì": a question, no password
        found.append(Found(match.start("value"), match.end("value"), Sensitive.password))
    for start, end in _weak_values(text):
        if _is_free(found, start, end):
            found.append(Found(start, end, Sensitive.password))
    for match in _CODE_RUN.finditer(text):
        start, end = match.span("value")
        if _is_free(found, start, end):
            words = re.findall(r"[a-z]+|\d", match["value"])
            digits = "".join(_NUMBER_WORDS.get(word, word) for word in words)
            found.append(_number(view, start, end, digits))
    for match in _EMAIL.finditer(text):
        if _is_free(found, match.start(), match.end()):
            found.append(Found(match.start(), match.end(), Sensitive.email))
    for match in _WORD_RUN.finditer(text):
        if _is_free(found, match.start(), match.end()):
            words = re.findall(r"[a-z]+|\d", match.group())
            digits = "".join(_NUMBER_WORDS.get(word, word) for word in words)
            found.append(_number(view, match.start(), match.end(), digits))
    for match in _DIGITS.finditer(text):
        if _DATE.fullmatch(match.group()):
            continue  # "15/12", "1/7/2025": a date, and the NLU needs it
        digits = re.sub(r"[^\d+]", "", match.group())
        if log and (_IPV4.fullmatch(match.group()) or (
                len(digits) < 6 and not _CODE_WORD.search(text[max(0, match.start() - 16):
                                                               match.start()]))):
            continue
        if _is_free(found, match.start(), match.end()):
            found.append(_number(view, match.start(), match.end(), digits))
    return sorted(found, key=lambda f: f.start)
