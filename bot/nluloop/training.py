"""Retraining: a background job trains a model from the repository's files plus the
console's examples, then measures the active model and the new one on the held-out sets.

One job at a time (the database refuses a second). Rasa trains at low CPU priority
(``nice``), so residents' turns keep theirs. The training data is written to
``models/console-training/`` (the repository's ``nlu/training/*.yml`` and a ``console.yml``);
the model is named by the content hash of its inputs like every model, so training the same
examples twice reuses the first model.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.accounts import Permission, Principal, require
from bot.accounts.roles import cli_actor
from bot.clock import Clock
from bot.config import NluPaths
from bot.engine.catalog import Catalog
from bot.intents.rasa_server import ensure_model, model_hash, model_path
from bot.nluloop.examples import ExampleBook, entry, examples_yaml
from bot.nluloop.measure import HeldOut, compare, held_out, measure_models
from bot.storage.nlu import DONE, FAILED, JobRow, ModelRow, NluStore

log = logging.getLogger(__name__)

TRAIN_NICE = 10
STALE_AFTER = dt.timedelta(hours=2)  # a "running" job this old lost its process
DATA_DIR = "console-training"
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")


class Busy(Exception):
    """Another training job is running."""


def job_json(job: JobRow) -> dict[str, Any]:
    """The contract's shape: state, and old/new accuracy (None until measured)."""
    result = job.result or {}
    old, new = result.get("old") or {}, result.get("new") or {}
    return {"job": job.id, "state": job.state, "stage": job.stage, "progress": job.progress,
            "old": {"accuracy": old.get("accuracy"), "macro_f1": old.get("macro_f1"),
                    "model": result.get("old_model")},
            "new": {"accuracy": new.get("accuracy"), "macro_f1": new.get("macro_f1"),
                    "model": result.get("new_model")},
            "per_intent": result.get("per_intent", []), "error": job.error,
            "train_seconds": result.get("train_seconds"),
            "seconds": round((job.finished_at - job.created_at).total_seconds(), 1)
            if job.finished_at else None}


class Trainer:
    def __init__(self, store: NluStore, book: ExampleBook, clock: Clock, paths: NluPaths,
                 heldout_files: list[Path], catalog: Callable[[], Catalog | None]) -> None:
        self.store = store
        self.book = book
        self.clock = clock
        self.paths = paths
        self.heldout_files = heldout_files
        self.catalog = catalog
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, principal: Principal | None) -> JobRow:
        """Record a new job and run it in the background; raises :class:`Busy`."""
        require(principal, Permission.improve_nlu)
        job_id = uuid.uuid4().hex[:12]
        active = await self.store.active_model()
        job = await self.store.start_job(
            job_id, principal.login if principal else cli_actor(), active.id if active else None,
            entry(principal, "nlu.training_started", job_id), self.clock.now(),
            self.clock.now() - STALE_AFTER)
        if job is None:
            raise Busy
        task = asyncio.create_task(self.run(job, active), name=f"nlu-train-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def wait(self, job_id: str) -> JobRow | None:
        """Until the job of this process is over (the CLI, tests)."""
        for task in list(self._tasks):
            if task.get_name() == f"nlu-train-{job_id}":
                await task
        return await self.store.job(job_id)

    async def run(self, job: JobRow, old: ModelRow | None) -> None:
        job_id = job.id
        try:
            await self._run(job, old)
        except asyncio.CancelledError:
            await self.store.update_job(job_id, state=FAILED, error="stopped",
                                        finished_at=self.clock.now())
            raise
        except Exception as error:  # the job's row says what went wrong; the server lives on
            log.exception("NLU training job %s failed", job_id)
            await self.store.update_job(job_id, state=FAILED, error=str(error)[-2000:],
                                        finished_at=self.clock.now())

    async def _stage(self, job_id: str, stage: str, progress: int) -> None:
        await self.store.update_job(job_id, stage=stage, progress=progress)

    async def _run(self, job: JobRow, old: ModelRow | None) -> None:
        job_id = job.id
        await self._stage(job_id, "data", 5)
        rows = await self.book.training_rows()
        paths = await asyncio.to_thread(self._write_data, rows)
        await self._stage(job_id, "training", 10)
        watcher = asyncio.create_task(self._watch_epochs(job_id, model_path(paths)))
        try:
            trained = await ensure_model(paths, nice=TRAIN_NICE)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        new = await self.store.register_model(
            {"file": trained.path.name, "source": "console",
             "base_hash": model_hash(self.paths), "examples": len(rows),
             "train_seconds": trained.train_seconds,
             "created_by": job.created_by},
            self.clock.now())
        await self.store.update_job(job_id, new_model_id=new.id, stage="measuring",
                                    progress=75)
        data = held_out(self.heldout_files,
                        [(e.intent, e.text) for e in await self.book.test_rows()])
        results = await self._measure(job_id, old, new, data)
        old_result, new_result = results if old is not None else (None, results[0])
        await self.store.update_job(job_id, state=DONE, stage="done", progress=100,
                                    finished_at=self.clock.now(), result={
                                        "old": _summary(old_result), "new": _summary(new_result),
                                        "old_model": old.file if old else None,
                                        "new_model": new.file,
                                        "per_intent": compare(old_result, new_result),
                                        "train_seconds": trained.train_seconds,
                                        "trained_now": trained.trained_now,
                                        "examples": len(rows), "heldout": data.key})

    async def _measure(self, job_id: str, old: ModelRow | None, new: ModelRow, data: HeldOut
                       ) -> list[dict[str, Any]]:
        models = [*([self.paths.models / old.file] if old else []),
                  self.paths.models / new.file]

        async def progress(index: int) -> None:
            await self._stage(job_id, f"measuring {index + 1}/{len(models)}",
                              75 + 20 * index // len(models))

        results = await measure_models(models, data, self.paths, self.catalog(), progress)
        for row, result in zip([*([old] if old else []), new], results, strict=True):
            await self.store.set_evaluation(row.id, result)
        return results

    def _write_data(self, rows: list[Any]) -> NluPaths:
        """The repository's training files plus ``console.yml``, in a folder of its own."""
        target = self.paths.models / DATA_DIR
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for file in sorted(self.paths.training.glob("*.yml")):
            shutil.copyfile(file, target / file.name)
        if rows:
            (target / "console.yml").write_text(
                examples_yaml(rows, "Examples added in the console (learning loop)."),
                encoding="utf-8")
        return replace(self.paths, training=target)

    async def _watch_epochs(self, job_id: str, target: Path) -> None:
        """Training progress from Rasa's log (DIET prints ``Epochs: 40%``)."""
        stem = target.name.removesuffix(".tar.gz")
        last = -1
        while True:
            await asyncio.sleep(2.0)
            for log_file in self.paths.models.glob(f"{stem}-partial-*.log"):
                found = _EPOCHS.findall(log_file.read_text(errors="replace")[-4000:])
                if found and int(found[-1]) != last:
                    last = int(found[-1])
                    await self._stage(job_id, "training", 10 + last * 60 // 100)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _summary(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {k: result[k] for k in ("n", "accuracy", "macro_f1", "routing", "key")}
