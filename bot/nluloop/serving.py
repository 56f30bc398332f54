"""Which model the deployment's Rasa serves, kept in the database.

``nlu_models.active`` is the model that should serve; the process that owns the Rasa server
(``serve``, or the supervisor of ``serve --workers N``) watches it through
:class:`ServingRecord` and switches (see :class:`bot.intents.runtime.LocalRasa`), then
announces the server's URL and model in ``nlu_serving``; every worker's recognizer follows
that announcement, so all workers parse with the active model.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from bot.clock import Clock
from bot.config import NluPaths
from bot.intents.rasa_server import model_hash
from bot.storage.audit import AuditEntry
from bot.storage.nlu import NluStore


class ServingRecord:
    """:class:`bot.intents.runtime.ModelSource` over the learning loop's tables."""

    def __init__(self, store: NluStore, clock: Clock, paths: NluPaths) -> None:
        self.store = store
        self.clock = clock
        self.paths = paths
        self._changed = asyncio.Event()

    async def startup_model(self, repo_model: Path) -> Path:
        """The active model if it was trained on the repository's current files; else the
        repository's model (activated, so the console shows what serves). After a change of
        ``nlu/training`` in the repository, console models are retrained, not kept."""
        base = await asyncio.to_thread(model_hash, self.paths)
        meta = repo_model.with_suffix("").with_suffix(".json")
        seconds = json.loads(meta.read_text())["train_seconds"] if meta.exists() else None
        repo = await self.store.register_model(
            {"file": repo_model.name, "source": "repo", "base_hash": base, "examples": 0,
             "train_seconds": seconds, "created_by": "repo"}, self.clock.now())
        active = await self.store.active_model()
        if active is not None and active.base_hash == base and (
                self.paths.models / active.file).exists():
            return self.paths.models / active.file
        if active is None or active.id != repo.id:
            note = None if active is None else AuditEntry(
                None, "system", "nlu.model_activated", repo.file,
                {"reason": "the repository's NLU files changed", "was": active.file})
            await self.store.activate(repo.id, note, self.clock.now())
        return repo_model

    async def desired(self) -> Path | None:
        active = await self.store.active_model()
        return self.paths.models / active.file if active else None

    def poke(self) -> None:
        self._changed.set()

    async def wait_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)
        self._changed.clear()

    async def announce(self, url: str, model: Path | None) -> None:
        await self.store.announce(url, model.name if model else "", self.clock.now())

    async def served_url(self) -> str | None:
        serving = await self.store.serving()
        return serving[0] if serving else None

    async def served_model(self) -> str | None:
        serving = await self.store.serving()
        return serving[1] or None if serving else None
