"""Pictures uploaded in the console: step images and proposal screenshots.

Kept in the database (so every worker has them) and written under ``flows/images/uploads/``,
where the static checks, the web chat (``/images/…``) and Telegram find step images.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from bot.accounts.roles import Permission, Principal, require
from bot.clock import Clock, SystemClock
from bot.storage.images import ImageStore, StoredImage

MAX_BYTES = 2 * 1024 * 1024
UPLOADS = "uploads"
_KINDS = ((b"\x89PNG\r\n\x1a\n", "png", "image/png"), (b"\xff\xd8\xff", "jpg", "image/jpeg"))


class ImageError(ValueError):
    """Why an upload is refused (Vietnamese, shown to the person)."""


def sniff(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) from the file's first bytes; never from its name."""
    for magic, extension, content_type in _KINDS:
        if data.startswith(magic):
            return extension, content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


class ImageService:
    def __init__(self, store: ImageStore, images_dir: Path, *, clock: Clock | None = None
                 ) -> None:
        self.store = store
        self.folder = images_dir / UPLOADS
        self.clock = clock or SystemClock()

    async def upload(self, principal: Principal, data: bytes) -> str:
        """Store a PNG, JPEG or WebP of at most 2 MB; returns the step's ``image`` value."""
        require(principal, Permission.propose)
        if len(data) > MAX_BYTES:
            raise ImageError("Ảnh lớn hơn 2 MB.")
        kind = sniff(data)
        if kind is None:
            raise ImageError("Chỉ nhận ảnh PNG, JPEG hoặc WebP.")
        name = f"{hashlib.sha256(data).hexdigest()[:32]}.{kind[0]}"
        await self.store.save(StoredImage(name, kind[1], data), principal.login,
                              self.clock.now())
        await asyncio.to_thread(self._write, name, data)
        return f"{UPLOADS}/{name}"

    async def get(self, name: str) -> StoredImage | None:
        return await self.store.get(name)

    async def materialise(self) -> None:
        """Write the uploads this worker has not seen yet (uploaded on another worker)."""
        for name in await self.store.names():
            if not (self.folder / name).is_file():
                image = await self.store.get(name)
                if image is not None:
                    await asyncio.to_thread(self._write, name, image.data)

    def _write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(data)
        temporary.replace(self.folder / name)
