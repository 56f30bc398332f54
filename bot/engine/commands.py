"""Global commands, recognised in Vietnamese and English, with or without diacritics.

Only a whole message counts ("dừng" stops; "bị dừng giữa chừng" is a question).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.text import fold

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
    name = _BY_PHRASE.get(fold(stripped))
    return Command(name) if name else None
