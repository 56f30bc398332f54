"""Reading pictures without starving text turns: decoding and OCR run in the reader's own
threads, at a lower CPU priority, at most ``jobs`` at a time per worker process, each within
``timeout`` seconds; the resident hears "cháu đang đọc ảnh…" when the answer takes longer than
``slow_after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from bot.screenshots.ocr import PictureError, Problem, page_of, read_page, tesseract_ready

log = logging.getLogger(__name__)

OCR_JOBS = 2  # pictures read at once by one worker process
OCR_TIMEOUT = 8.0
SLOW_AFTER = 1.0
OCR_NICENESS = 10  # OCR yields the processors to text turns (and Tesseract inherits it)
T = TypeVar("T")
READING = "Cháu đang đọc ảnh…"

# What the resident is told when a picture gives no text.
ANSWERS = {
    Problem.too_big: "Ảnh này lớn quá (quá 5 MB), cháu chưa mở được ạ. Bác chụp màn hình "
                     "rồi gửi ảnh chụp đó cho cháu nhé.",
    Problem.not_image: "Cháu chỉ đọc được ảnh JPEG, PNG hoặc WebP (ví dụ ảnh chụp màn hình) "
                       "ạ. Bác gửi ảnh chụp màn hình, hoặc gõ chữ cho cháu nhé.",
    Problem.corrupt: "Ảnh này bị hỏng, cháu không mở được ạ. Bác chụp lại màn hình rồi gửi "
                     "lại cho cháu nhé.",
    Problem.timeout: "Cháu đọc ảnh này lâu quá mà chưa xong ạ. Bác chụp gọn phần màn hình có "
                     "chữ rồi gửi lại, hoặc gõ chữ cho cháu nhé.",
    Problem.unreachable: "Cháu chưa tải được ảnh của bác về ạ. Bác gửi lại ảnh giúp cháu nhé.",
    Problem.unavailable: "Máy chủ này chưa cài phần đọc ảnh, nên cháu chưa đọc được ảnh ạ. "
                         "Bác gõ chữ cho cháu, hoặc bấm «Tôi bị kẹt» để nhờ tổ hỗ trợ nhé.",
    Problem.off: "Cháu chưa đọc được ảnh ạ. Bác gõ chữ cho cháu, hoặc bấm «Tôi bị kẹt» để "
                 "nhờ tổ hỗ trợ nhé.",
}


@dataclass(frozen=True)
class PictureRead:
    """The text read from a picture, or why there is none."""

    text: str = ""
    problem: Problem | None = None
    seconds: float = 0.0

    @property
    def answer(self) -> str | None:
        """What to tell the resident instead of a turn (None: the text goes into a turn)."""
        return ANSWERS[self.problem] if self.problem is not None else None


OnSlow = Callable[[], Awaitable[None]]


def _lower_priority(niceness: int) -> None:
    """Run in each OCR thread: Linux gives threads their own niceness, and the Tesseract
    processes a thread starts inherit it."""
    # Not Linux, or not allowed: the job limit still holds.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


class ScreenReader:
    """``enabled=False`` (``OCR=off``) answers every picture with :data:`Problem.off`;
    ``niceness`` is the OCR threads' CPU priority (0: the same as text turns)."""

    def __init__(self, *, enabled: bool = True, jobs: int = OCR_JOBS,
                 timeout: float = OCR_TIMEOUT, slow_after: float = SLOW_AFTER,
                 niceness: int = OCR_NICENESS) -> None:
        self.enabled = enabled
        self.jobs = jobs
        self.timeout = timeout
        self.slow_after = slow_after
        self._jobs = asyncio.Semaphore(jobs)
        self.niceness = niceness
        self._threads = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="ocr",
                                           initializer=_lower_priority, initargs=(niceness,))
        self._ready: bool | None = None

    def ready(self) -> bool:
        """Tesseract and its Vietnamese model are there (checked once)."""
        if self._ready is None:
            self._ready = tesseract_ready()
            if self.enabled and not self._ready:
                log.error("pictures cannot be read: install tesseract-ocr and "
                          "tesseract-ocr-vie (make ocr), or set OCR=off")
        return self._ready

    async def read(self, data: bytes, on_slow: OnSlow | None = None) -> PictureRead:
        """Read one picture; ``on_slow`` is awaited once if that takes over ``slow_after``."""
        if not self.enabled:
            return PictureRead(problem=Problem.off)
        started = time.perf_counter()
        job = asyncio.create_task(self._read(data))
        done, _ = await asyncio.wait({job}, timeout=self.slow_after)
        if not done and on_slow is not None:
            try:
                await on_slow()
            except Exception:  # a failed notice must not lose the picture's answer
                log.warning("could not say that a picture is being read", exc_info=True)
        result = await job
        seconds = time.perf_counter() - started
        log.info("picture read in %.2f s: %s", seconds,
                 result.problem.value if result.problem else f"{len(result.text)} characters")
        return PictureRead(result.text, result.problem, seconds)

    async def _read(self, data: bytes) -> PictureRead:
        """Decode first: a broken file gets its own answer even where OCR is missing."""
        async with self._jobs:
            try:
                page = await self._off_loop(partial(page_of, data))
                if not await self._off_loop(self.ready):
                    return PictureRead(problem=Problem.unavailable)
                text = await self._off_loop(partial(read_page, page, self.timeout))
            except PictureError as error:
                return PictureRead(problem=error.problem)
        return PictureRead(text)

    async def _off_loop(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, work)
