"""Phone screenshots drawn with Pillow, for the screenshot benchmark and the tests: an app
screen (a title bar, lines of text, a button), an SMS thread or a Zalo chat bubble, at a phone's
width, in light or dark mode, then treated like a picture that went through a chat app (scaled
a little, blurred a little, JPEG re-compressed).

The font must have Vietnamese glyphs: DejaVu Sans (``fonts-dejavu-core``, installed by
``make ocr``) or Noto Sans (``fonts-noto-core``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
         Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"))


class Style(StrEnum):
    app = "app"  # an app's screen: title bar, text, one button
    sms = "sms"  # the Messages app: a sender and grey bubbles
    zalo = "zalo"  # a Zalo chat: a blue bar and white bubbles


@dataclass(frozen=True)
class Look:
    width: int = 1080
    dark: bool = False
    scale: float = 1.0  # resized by the chat app on the way
    blur: float = 0.6  # Gaussian radius, in pixels of the final picture
    quality: int = 70  # JPEG quality of each re-compression
    tilt: float = 0.0  # degrees: a photo of a screen rather than a screenshot
    noise: bool = False  # moiré-like stripes of a photo of a screen


def font_path() -> Path:
    for path in FONTS:
        if path.is_file():
            return path
    raise FileNotFoundError("no font with Vietnamese glyphs: install fonts-dejavu-core "
                            "(make ocr) or fonts-noto-core")


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The Vietnamese font at ``size`` px; its bold face when the package has one."""
    path = font_path()
    heavy = path.with_name(path.name.replace("-Regular", "").replace(".ttf", "-Bold.ttf"))
    return ImageFont.truetype(str(heavy if bold and heavy.is_file() else path), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
          width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and draw.textlength(candidate, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _colours(style: Style, dark: bool) -> dict[str, tuple[int, int, int]]:
    if dark:
        return {"page": (18, 18, 20), "text": (235, 235, 235), "bar": (32, 32, 36),
                "bar_text": (240, 240, 240), "bubble": (48, 48, 52),
                "button": (40, 90, 170), "button_text": (255, 255, 255),
                "hint": (150, 150, 150)}
    bar = {Style.app: (200, 30, 40), Style.sms: (245, 245, 247), Style.zalo: (0, 104, 255)}
    bar_text = (30, 30, 30) if style is Style.sms else (255, 255, 255)
    page = (226, 234, 243) if style is Style.zalo else (255, 255, 255)
    return {"page": page, "text": (20, 20, 20), "bar": bar[style], "bar_text": bar_text,
            "bubble": (255, 255, 255) if style is Style.zalo else (233, 233, 235),
            "button": (200, 30, 40), "button_text": (255, 255, 255), "hint": (120, 120, 120)}


def draw_screen(title: str, body: list[str], style: Style, look: Look,
                button: str | None = None) -> Image.Image:
    """The screen at ``look.width`` px: ``title`` in the top bar, ``body`` as paragraphs (in
    bubbles for SMS and Zalo), ``button`` as the app's main button."""
    width = look.width
    unit = width / 1080
    font = _font(round(40 * unit))
    bold = _font(round(44 * unit), bold=True)
    colours = _colours(style, look.dark)
    height = round(width * 2.0)
    image = Image.new("RGB", (width, height), colours["page"])
    draw = ImageDraw.Draw(image)
    draw.text((round(40 * unit), round(20 * unit)), "09:41", font=font, fill=colours["text"])
    draw.rectangle((0, round(90 * unit), width, round(220 * unit)), fill=colours["bar"])
    draw.text((round(60 * unit), round(125 * unit)), title, font=bold, fill=colours["bar_text"])
    y = round(280 * unit)
    margin, line_height = round(60 * unit), round(58 * unit)
    for paragraph in body:
        inner = width - 2 * margin - (round(60 * unit) if style is not Style.app else 0)
        lines = _wrap(draw, paragraph, font, inner)
        if style is not Style.app:
            box = (margin, y - round(20 * unit), width - margin,
                   y + line_height * len(lines) + round(10 * unit))
            draw.rounded_rectangle(box, radius=round(36 * unit), fill=colours["bubble"])
            x = margin + round(30 * unit)
        else:
            x = margin
        for line in lines:
            draw.text((x, y), line, font=font, fill=colours["text"])
            y += line_height
        y += round(60 * unit)
    if button:
        box = (margin, y, width - margin, y + round(120 * unit))
        draw.rounded_rectangle(box, radius=round(24 * unit), fill=colours["button"])
        text_width = draw.textlength(button, font=font)
        size = font
        if text_width > box[2] - box[0] - 40 * unit:  # a long label: a smaller font
            size = _font(round(34 * unit))
            text_width = draw.textlength(button, font=size)
        draw.text(((width - text_width) / 2, y + round(36 * unit)), button, font=size,
                  fill=colours["button_text"])
    return image


def as_received(image: Image.Image, look: Look) -> bytes:
    """The screen as a chat app delivers it: scaled, blurred, JPEG twice."""
    if look.tilt:
        image = image.rotate(look.tilt, resample=Image.Resampling.BICUBIC, expand=True,
                             fillcolor=(90, 90, 90))
    if look.noise:
        stripes = Image.new("L", image.size, 0)
        draw = ImageDraw.Draw(stripes)
        for y in range(0, image.height, 7):
            draw.line((0, y, image.width, y), fill=28)
        image = Image.composite(Image.new("RGB", image.size, (128, 128, 128)), image, stripes)
    if look.scale != 1.0:
        image = image.resize((round(image.width * look.scale), round(image.height * look.scale)),
                             Image.Resampling.BILINEAR)
    if look.blur:
        image = image.filter(ImageFilter.GaussianBlur(look.blur))
    data = image
    for _ in range(2):
        buffer = io.BytesIO()
        data.save(buffer, "JPEG", quality=look.quality)
        data = Image.open(io.BytesIO(buffer.getvalue()))
    return buffer.getvalue()


def screenshot(title: str, body: list[str], style: Style = Style.app, look: Look | None = None,
               button: str | None = None) -> bytes:
    """A received phone screenshot as JPEG bytes."""
    chosen = look or Look()
    return as_received(draw_screen(title, body, style, chosen, button), chosen)
