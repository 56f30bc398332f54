"""Global commands, recognised in Vietnamese and English, with or without diacritics.

Only a whole message counts ("dừng" stops; "bị dừng giữa chừng" is a question). Requests
about the resident's own data are recognised in any wording that names the data and its
owner ("xoá hết thông tin của bác đi", "cháu lưu những gì về bác"), never one about an
account elsewhere ("xoá thông tin tài khoản VNeID").
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.text import fold, normalize

_WORDS: dict[str, tuple[str, ...]] = {
    "menu": ("menu", "danh muc", "menu chinh", "ve menu", "xem menu", "main menu"),
    "back": ("quay lai", "back", "tro lai", "buoc truoc", "lui lai"),
    "stop": ("dung", "dung lai", "stop", "thoat", "tam dung", "huy", "cancel"),
    "restart": ("bat dau lai", "restart", "lam lai tu dau", "lam lai", "start over"),
    "resume": ("tiep tuc", "resume", "continue", "lam tiep"),
    "help": ("help", "tro giup", "giup do"),
    # Residents' data rights (Decree 13/2023/ND-CP): see, and erase, what is stored.
    "mydata": ("xem du lieu cua toi", "du lieu cua toi", "xem du lieu", "my data",
               "toi muon xem du lieu cua toi"),
    "forget": ("xoa du lieu cua toi", "xoa du lieu", "xoa het du lieu", "xoa het du lieu cua toi",
               "delete my data", "forget me", "toi muon xoa du lieu cua toi"),
}
_BY_PHRASE = {phrase: name for name, phrases in _WORDS.items() for phrase in phrases}
# Slash commands as Telegram sends them ("/menu@digiguide_bot").
_SLASH = {"menu": "menu", "back": "back", "stop": "stop", "restart": "restart",
          "resume": "resume", "help": "help", "start": "start", "tieptuc": "resume",
          "mydata": "mydata", "forget": "forget"}


_ERASE = ("xoa", "huy bo", "xoa bo")
_DATA = ("du lieu", "thong tin", "tin nhan", "lich su")
_MINE = ("cua toi", "cua bac", "ve toi", "ve bac", "cua minh", "ve minh", "cua em", "ve em",
         "cua tui", "ve tui", "chau luu", "da luu", "luu ve", "cua con", "ve con")
_ELSEWHERE = ("vneid", "vssid", "tai khoan", "ngan hang", "ung dung", "app", "momo", "zalo",
              "the", "so dien thoai", "mat khau", "dinh danh", "can cuoc", "bao hiem")
_STORED = ("luu", "giu", "biet")
_WHAT = ("gi", "nhung gi", "nhung thong tin nao", "nhung cai gi")
_DENY = ("khong", "dung", "chua", "dung co", "thoi")


def _has(joined: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {p} " in joined for p in phrases)


def data_request(text: str) -> str | None:
    """"mydata" or "forget" for a request about the resident's own stored data."""
    joined = f" {normalize(text)} "
    if _has(joined, _ELSEWHERE) or _has(joined, _DENY):
        return None
    if _has(joined, _ERASE) and _has(joined, _DATA) and (
            _has(joined, _MINE) or " du lieu " in joined):
        return "forget"
    if _has(joined, _STORED) and _has(joined, _WHAT) and _has(joined, (*_MINE, " ve ")):
        return "mydata"
    return None


@dataclass(frozen=True)
class Command:
    name: str
    argument: str | None = None


def parse_command(text: str) -> Command | None:
    stripped = text.strip()
    if stripped.startswith("/"):
        head, _, rest = stripped[1:].partition(" ")
        name = _SLASH.get(head.split("@", 1)[0].lower())
        if name is None:
            return None
        return Command(name, rest.strip() or None)
    name = _BY_PHRASE.get(fold(stripped)) or data_request(stripped)
    return Command(name) if name else None
