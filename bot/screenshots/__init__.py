"""Screenshots: a resident's picture of their screen read as text before the turn.

:mod:`bot.screenshots.ocr` decodes and reads one image (Pillow and Tesseract ``vie``, blocking);
:mod:`bot.screenshots.reader` runs that off the event loop with a time limit and a limit on
concurrent jobs, and tells the channel when the resident should hear "cháu đang đọc ảnh…".
The image itself is never stored: only the recognised text goes on, into the turn.
"""

from bot.screenshots.ocr import MAX_BYTES, Problem
from bot.screenshots.reader import PictureRead, ScreenReader

__all__ = ["MAX_BYTES", "PictureRead", "Problem", "ScreenReader"]
