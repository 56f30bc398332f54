"""What a printed handout says, independent of its format (HTML or PDF): the guide's title,
its main steps in 4-6 short lines, the QR codes, the team's name and phone, the OTP line.

The QR codes are made by the ``qrcode`` library (error correction M, black on white) as PNG.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage

from bot.engine.catalog import CompiledFlow
from bot.reports import texts
from bot.reports.funnels import main_path, printable
from bot.reports.links import GuideLink

LINES_MAX = 6
LINE_MAX = 70
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?:])(?:\s|$)")
_PREAMBLE = re.compile(r"^(cháu sẽ|mình sẽ|em sẽ)\b", re.IGNORECASE)


def qr_png(data: str, box: int = 10) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box,
                         border=4)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=PilImage, fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def _short(text: str) -> str:
    cleaned = (printable(ln).strip(" •-*") for ln in text.strip().splitlines())
    line = next((ln for ln in cleaned if ln), "")
    line = line.replace("**", "")
    match = _FIRST_SENTENCE.match(line)
    if match and len(match[1]) >= 12:
        line = match[1]
    line = line.rstrip(":")
    if len(line) > LINE_MAX:
        line = line[:LINE_MAX - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"
    return line


def step_lines(compiled: CompiledFlow) -> list[str]:
    """4-6 short lines along the main path (the finishing step, questions that only choose a
    branch and introductions left out;
    when the path is longer, lines spread evenly over it, first and last kept)."""
    path = [s for s in main_path(compiled)
            if compiled.steps[s].end is None and compiled.steps[s].slot is None]
    lines = [_short(compiled.steps[s].text) for s in path]
    lines = [ln for i, ln in enumerate(lines) if ln and not (i == 0 and _PREAMBLE.match(ln))]
    if len(lines) > LINES_MAX:
        picks = sorted({round(i * (len(lines) - 1) / (LINES_MAX - 1)) for i in range(LINES_MAX)})
        lines = [lines[i] for i in picks]
    return lines


@dataclass(frozen=True)
class Handout:
    title: str
    lines: list[str]
    link: GuideLink
    team: str
    phone: str | None
    web_qr: bytes
    telegram_qr: bytes | None

    @property
    def help_line(self) -> str:
        if self.phone:
            return texts.HANDOUT_HELP.format(team=self.team, phone=self.phone)
        return texts.HANDOUT_HELP_NO_PHONE.format(team=self.team)


def handout(compiled: CompiledFlow, link: GuideLink, team: str, phone: str | None) -> Handout:
    return Handout(compiled.flow.title, step_lines(compiled), link, team, phone,
                   qr_png(link.web), qr_png(link.telegram) if link.telegram else None)
