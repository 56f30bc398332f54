"""One picture to text: decode with Pillow, prepare it the way phone screenshots need, read it
with Tesseract's Vietnamese model. Blocking: :class:`bot.screenshots.reader.ScreenReader` runs
it in a worker thread (Tesseract itself is a child process, ended at the time limit).
"""

from __future__ import annotations

import io
import shutil
from enum import StrEnum

import pytesseract
from PIL import Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024  # 5 MB: a phone screenshot is far smaller
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
LANGUAGE = "vie"
# Tesseract reads best with letters about 30 px high: phone screenshots (720-1440 px wide)
# are brought to about this width.
TARGET_WIDTH = 1400
DARK = 110  # mean grey below this: a dark-mode screen, inverted to dark text on light


class Problem(StrEnum):
    """Why a picture gave no text; each has its own answer to the resident."""

    too_big = "too_big"  # over 5 MB or too many pixels
    not_image = "not_image"  # not a JPEG, PNG or WebP
    corrupt = "corrupt"  # an image file that does not decode
    timeout = "timeout"  # reading took longer than the limit
    unreachable = "unreachable"  # the channel could not fetch the picture
    unavailable = "unavailable"  # Tesseract or its Vietnamese model is not installed
    off = "off"  # reading pictures is switched off on this server


class PictureError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def tesseract_ready() -> bool:
    """Whether the ``tesseract`` program and its ``vie`` model are installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        return LANGUAGE in pytesseract.get_languages(config="")
    except (pytesseract.TesseractError, OSError):
        return False


def decode(data: bytes) -> Image.Image:
    """The picture, fully decoded, or :class:`PictureError` saying why not."""
    if len(data) > MAX_BYTES:
        raise PictureError(Problem.too_big)
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise PictureError(Problem.not_image) from error
    if image.format not in FORMATS:
        raise PictureError(Problem.not_image)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PictureError(Problem.too_big)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise PictureError(Problem.corrupt) from error
    return image


def prepare(image: Image.Image) -> Image.Image:
    """Grey, dark mode turned light, scaled to Tesseract's liking, contrast stretched."""
    grey = ImageOps.grayscale(ImageOps.exif_transpose(image) or image)
    if ImageStat.Stat(grey.reduce(8) if min(grey.size) >= 64 else grey).mean[0] < DARK:
        grey = ImageOps.invert(grey)
    scale = TARGET_WIDTH / grey.width
    if not 0.8 <= scale <= 1.25:
        grey = grey.resize((TARGET_WIDTH, max(1, round(grey.height * scale))),
                           Image.Resampling.LANCZOS)
    grey = ImageOps.autocontrast(grey, cutoff=1)
    return grey.filter(ImageFilter.MedianFilter(3)) if scale > 1.25 else grey


def binarize(grey: Image.Image, level: int = 160) -> Image.Image:
    """Black text on white: coloured chat bubbles and grey hints become clean white."""
    return grey.point(lambda p: 255 if p > level else 0)


def read_text(data: bytes, timeout: float) -> str:
    """The text on the picture, one screen line per line ("" when there is none)."""
    image = prepare(decode(data))
    try:
        text = pytesseract.image_to_string(binarize(image), lang=LANGUAGE, timeout=timeout,
                                           config="--psm 3")
    except RuntimeError as error:  # pytesseract's "Tesseract process timeout"
        raise PictureError(Problem.timeout) from error
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError) as error:
        raise PictureError(Problem.unavailable) from error
    return "\n".join(line.strip() for line in str(text).splitlines() if line.strip())
