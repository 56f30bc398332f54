"""Step images: uploaded once, then sent again by the ``file_id`` Telegram returned.

The cache is in memory. A restart costs one upload per image (a few hundred kilobytes, once per
process), which keeps the channel free of storage code and of a migration; Telegram's file ids
stay valid across restarts, so persisting them would only save those first uploads.
"""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import Message

log = logging.getLogger(__name__)


class PhotoCache:
    def __init__(self, images_dir: Path) -> None:
        self.images_dir = images_dir.resolve()
        self._file_ids: dict[str, str] = {}

    def source(self, image: str) -> str | Path | None:
        """What to pass as ``photo=``: a known file id, a URL, or the file to upload.

        None when the file is missing or outside ``flows/images/``: the step is then sent
        as text alone rather than failing."""
        known = self._file_ids.get(image)
        if known is not None:
            return known
        if image.startswith(("https://", "http://")):
            return image
        path = (self.images_dir / image).resolve()
        if not path.is_relative_to(self.images_dir) or not path.is_file():
            log.error("step image not found under %s: %s", self.images_dir, image)
            return None
        return path

    def is_cached(self, image: str) -> bool:
        return image in self._file_ids

    def remember(self, image: str, message: Message) -> None:
        if message.photo:
            self._file_ids[image] = message.photo[-1].file_id

    def forget(self, image: str) -> None:
        """Drop a file id Telegram no longer accepts, so the next send uploads again."""
        self._file_ids.pop(image, None)
