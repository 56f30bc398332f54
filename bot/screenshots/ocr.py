"""One picture to text: decode with Pillow, prepare it the way phone screenshots need, read it
with Tesseract's Vietnamese model. Blocking: :class:`bot.screenshots.reader.ScreenReader` runs
it in a worker thread (Tesseract itself is a child process, ended at the time limit).
"""

from __future__ import annotations

import io
import os
import re
import shutil
from enum import StrEnum

import pytesseract
from PIL import Image, ImageFilter, ImageMath, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024  # 5 MB: a phone screenshot is far smaller
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
LANGUAGE = "vie"
# One thread per Tesseract process: the worker's job limit decides how many cores OCR takes.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Tesseract reads best with letters about 30 px high: phone screenshots (720-1440 px wide)
# are brought to this width.
TARGET_WIDTH = 1400
DARK = 128  # a region darker than this on average is light text on dark: inverted
THRESHOLD = 150  # after flattening, text is far below and the page far above


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
    """Dark text on a white page, whatever the screen showed: grey, scaled to Tesseract's
    liking, every dark region (dark mode, a coloured button or bar) inverted, and the
    background (grey chat bubbles, tinted pages) flattened to white."""
    grey = ImageOps.grayscale(ImageOps.exif_transpose(image) or image)
    if grey.width != TARGET_WIDTH:
        grey = grey.resize((TARGET_WIDTH, max(1, round(grey.height * TARGET_WIDTH / grey.width))),
                           Image.Resampling.LANCZOS)
    size = grey.size
    # Regions about a text line wide: their mean says light or dark background.
    around = grey.reduce(4).filter(ImageFilter.BoxBlur(8)).resize(size, Image.Resampling.BILINEAR)
    dark = around.point(lambda p: 255 if p < DARK else 0)
    grey = Image.composite(ImageOps.invert(grey), grey, dark)
    # The background is the lightest thing nearby; dividing by it leaves only the text.
    background = (grey.reduce(4).filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.BoxBlur(2))
                  .resize(size, Image.Resampling.BILINEAR))
    flat = ImageMath.lambda_eval(lambda v: v["page"] * 255 / (v["light"] + 1),
                                 page=grey, light=background).convert("L")
    return ImageOps.autocontrast(flat, cutoff=0.5)


def binarize(grey: Image.Image, level: int = THRESHOLD) -> Image.Image:
    """Black text on white, as Tesseract reads best."""
    return grey.point(lambda p: 255 if p > level else 0)


def content(page: Image.Image, margin: int = 24) -> Image.Image:
    """The part of a black-on-white page that has ink, with a margin (most of a phone
    screenshot is empty, and Tesseract's layout analysis pays for every pixel)."""
    box = ImageOps.invert(page).getbbox()
    if box is None:
        return page
    left, top, right, bottom = box
    return page.crop((max(0, left - margin), max(0, top - margin),
                      min(page.width, right + margin), min(page.height, bottom + margin)))


def page_of(data: bytes) -> Image.Image:
    """The picture decoded and made ready for Tesseract, or :class:`PictureError`."""
    return content(binarize(prepare(decode(data))))


def read_page(page: Image.Image, timeout: float) -> str:
    """The text on a prepared page, one screen line per line, blocks (a chat bubble, a
    paragraph) separated by an empty line ("" when there is no text)."""
    try:
        text = pytesseract.image_to_string(page, lang=LANGUAGE, timeout=timeout,
                                           config="--psm 3")
    except RuntimeError as error:  # pytesseract's "Tesseract process timeout"
        raise PictureError(Problem.timeout) from error
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError) as error:
        raise PictureError(Problem.unavailable) from error
    blocks = ("\n".join(line.strip() for line in block.splitlines() if line.strip())
              for block in re.split(r"\n\s*\n", str(text)))
    return "\n\n".join(block for block in blocks if block)
