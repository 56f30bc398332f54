"""One turn's replies as Zalo messages: few messages, each within Zalo's limits.

Every Zalo message a resident gets spends one of the OA's free replies (8 within 48 hours of
the resident's last message), so a turn is packed into at most :data:`MAX_PARTS` messages:
replies without buttons are joined to the reply after them (a safety warning and the step it
precedes travel together), text longer than 2,000 characters is split at line breaks, and a
step image goes first as its own message. Buttons become ``oa.query.hide`` buttons whose
payload is the engine's own short payload; beyond :data:`MAX_BUTTONS` the rest are listed as
numbered lines the resident answers with the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from bot.channels import split
from bot.channels.zalo import texts
from bot.engine.messages import Button, Reply

TEXT_LIMIT = 2000
MAX_BUTTONS = 5  # integrations cap Zalo's buttons; the exact limit is unverified
MAX_PARTS = 3
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Part:
    """One Zalo message: text with buttons, or an image."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None


@dataclass
class Rendered:
    parts: list[Part]
    options: dict[str, str] = field(default_factory=dict)  # "1" -> payload, for typed numbers


def plain(text: str) -> str:
    """Zalo shows text as typed: ``**bold**`` loses its markers."""
    return _BOLD.sub(r"\1", text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut between lines where possible."""
    return split.split_text(text, limit)


def _with_numbers(text: str, extra: tuple[Button, ...], options: dict[str, str]) -> str:
    lines = []
    for button in extra:
        number = str(len(options) + 1)
        options[number] = button.payload
        lines.append(f"{number}. {button.label}")
    return f"{text}\n\n{texts.NUMBERED_INTRO}\n" + "\n".join(lines)


def _blocks(replies: list[Reply]) -> list[Part]:
    """Replies joined into blocks: a block ends with a reply that has buttons."""
    blocks: list[Part] = []
    for reply in replies:
        if reply.image:
            blocks.append(Part(image=reply.image))
        text = plain(reply.text).strip()
        previous = blocks[-1] if blocks else None
        if previous is not None and previous.image is None and not previous.buttons:
            joined = "\n\n".join(t for t in (previous.text, text) if t)
            blocks[-1] = Part(joined, reply.buttons)
        else:
            blocks.append(Part(text, reply.buttons))
    return [b for b in blocks if b.image or b.text or b.buttons]


def render(replies: list[Reply]) -> Rendered:
    rendered = Rendered([])
    blocks = _blocks(replies)
    while len(blocks) > MAX_PARTS and any(b.image for b in blocks):
        blocks.remove(next(b for b in blocks if b.image))  # words before pictures
    if sum(1 for b in blocks if not b.image) > 1 and _count(blocks) > MAX_PARTS:
        blocks = _squeeze(blocks)
    for block in blocks:
        if block.image:
            rendered.parts.append(block)
            continue
        text = block.text or "…"
        shown, extra = block.buttons[:MAX_BUTTONS], block.buttons[MAX_BUTTONS:]
        if extra:
            text = _with_numbers(text, extra, rendered.options)
        pieces = split_text(text)
        rendered.parts += [Part(p) for p in pieces[:-1]]
        rendered.parts.append(Part(pieces[-1], shown))
    if len(rendered.parts) > MAX_PARTS:
        rendered.parts = _truncate(rendered.parts)
    return rendered


def _count(blocks: list[Part]) -> int:
    return sum(1 if b.image else len(split_text(b.text or "…")) for b in blocks)


def _squeeze(blocks: list[Part]) -> list[Part]:
    """Too many messages: one text for the whole turn, the last buttons under it and the
    earlier replies' buttons numbered (nothing the resident could press is lost)."""
    images = [b for b in blocks if b.image]
    texts_ = [b for b in blocks if not b.image]
    last = texts_[-1]
    earlier = tuple(button for b in texts_[:-1] for button in b.buttons)
    joined = "\n\n".join(b.text for b in texts_ if b.text)
    buttons = last.buttons + tuple(b for b in earlier if b not in last.buttons)
    return [*images, Part(joined, buttons)]


def _truncate(parts: list[Part]) -> list[Part]:
    """Still too long (a step far beyond the validator's limits): keep the first messages,
    and say the rest was cut."""
    kept = parts[: MAX_PARTS - 1]
    last = parts[-1]
    room = TEXT_LIMIT - len(texts.CUT_SHORT) - 2
    return [*kept, replace(last, text=f"{texts.CUT_SHORT}\n\n{last.text[-room:]}")]


def with_note(part: Part, note: str) -> Part:
    """``note`` appended to a message (the quota warning), still within the limit."""
    room = TEXT_LIMIT - len(note) - 2
    text = part.text if len(part.text) <= room else part.text[: room - 1] + "…"
    return replace(part, text=f"{text}\n\n{note}" if text else note)
