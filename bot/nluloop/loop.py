"""The learning loop as one service the console and the command line call: the inbox, the
training phrases, retraining, the gate and activation, export, and the quality figures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.accounts import Permission, Principal, require
from bot.clock import Clock
from bot.config import NluPaths
from bot.engine.catalog import Catalog
from bot.flows.service import Conflict, FlowNotFound, FlowService
from bot.flows.service import Invalid as FlowInvalid
from bot.intents.runtime import FOLLOW_EVERY
from bot.nluloop.examples import HELDOUT, ExampleBook, Invalid, entry
from bot.nluloop.serving import ServingRecord
from bot.nluloop.training import Trainer
from bot.nluloop.unanswered import NotFound, UnansweredInbox
from bot.storage.nlu import DONE, JobRow, ModelRow, NluStore
from bot.text import fold

GATE = 0.01  # activation is refused when held-out accuracy drops by more than this
ACTIVATE_WAIT = 240.0  # seconds for the new server to start and answer


class Refused(Exception):
    """The gate: the new model measured worse and no admin confirmed it with a reason."""

    def __init__(self, old: float, new: float, message: str) -> None:
        super().__init__(message)
        self.old, self.new = old, new


class NotServing(Exception):
    """No process of this deployment owns a Rasa server that could switch models."""


class SwitchFailed(Exception):
    """The new model did not start; the old one kept serving (and is active again)."""


def _accuracy(result: dict[str, Any] | None) -> float | None:
    value = (result or {}).get("accuracy")
    return float(value) if isinstance(value, int | float) else None


@dataclass
class LearningLoop:
    store: NluStore
    book: ExampleBook
    inbox: UnansweredInbox
    trainer: Trainer
    serving: ServingRecord
    clock: Clock
    paths: NluPaths
    activate_wait: float = ACTIVATE_WAIT

    @classmethod
    def build(cls, store: NluStore, clock: Clock, paths: NluPaths, flows: FlowService,
              catalog: Callable[[], Catalog | None], heldout: list[Path] | None = None
              ) -> LearningLoop:
        book = ExampleBook(store, clock, paths.training, heldout or HELDOUT)

        async def add_keyword(principal: Principal | None, flow_id: str, words: str) -> str:
            return await keyword_to_guide(flows, principal, flow_id, words)

        return cls(store, book, UnansweredInbox(store, book, clock, add_keyword),
                   Trainer(store, book, clock, paths, book.heldout, catalog),
                   ServingRecord(store, clock, paths), clock, paths)

    # ------------------------------------------------------------ what the console shows
    async def models(self) -> list[ModelRow]:
        return await self.store.models()

    async def active_model(self) -> ModelRow | None:
        return await self.store.active_model()

    async def jobs(self) -> list[JobRow]:
        return await self.store.jobs()

    async def job(self, job_id: str) -> JobRow | None:
        return await self.store.job(job_id)

    # ------------------------------------------------------------ activation
    async def activate(self, principal: Principal | None, *, job_id: str | None = None,
                       model_id: int | None = None, reason: str = "") -> ModelRow:
        """Serve a job's new model (or an earlier model) once the gate allows it; returns
        when every worker parses with it. Raises :class:`Refused`, :class:`NotServing`,
        :class:`SwitchFailed`, :class:`NotFound`, :class:`Invalid`."""
        require(principal, Permission.improve_nlu)
        active = await self.store.active_model()
        candidate, old_acc, new_acc = await self._candidate(job_id, model_id, active)
        drop = old_acc - new_acc if old_acc is not None and new_acc is not None else 0.0
        confirmed = ""
        if drop > GATE:
            confirmed = self._confirmed(principal, reason, old_acc or 0.0, new_acc or 0.0)
        if active is not None and active.id == candidate.id:
            return candidate
        if not await self.serving.served_url():
            raise NotServing
        if not await asyncio.to_thread((self.paths.models / candidate.file).exists):
            raise Invalid("Tệp của mô hình này không còn trong thư mục models/.")
        await self.store.activate(candidate.id, entry(
            principal, "nlu.model_activated", candidate.file, job=job_id,
            was=active.file if active else None, old_accuracy=old_acc, new_accuracy=new_acc,
            confirmed_reason=confirmed or None), self.clock.now())
        self.serving.poke()
        if not await self._until_served(candidate.file):
            if active is not None:
                await self.store.activate(active.id, entry(
                    principal, "nlu.activation_failed", candidate.file, back_to=active.file),
                    self.clock.now())
                self.serving.poke()
            raise SwitchFailed
        return candidate

    async def _candidate(self, job_id: str | None, model_id: int | None,
                         active: ModelRow | None) -> tuple[ModelRow, float | None, float | None]:
        if job_id is not None:
            job = await self.store.job(job_id)
            if job is None:
                raise NotFound(job_id)
            if job.state != DONE or job.new_model_id is None or job.result is None:
                raise Invalid("Lần huấn luyện này chưa xong hoặc đã lỗi.")
            model = await self.store.model(job.new_model_id)
            if model is None:
                raise NotFound(job_id)
            return model, _accuracy(job.result.get("old")), _accuracy(job.result.get("new"))
        if model_id is None:
            raise Invalid("Cần chọn một lần huấn luyện (job) hoặc một mô hình (model).")
        model = await self.store.model(model_id)
        if model is None:
            raise NotFound(model_id)
        before, after = (active.evaluation if active else None), model.evaluation
        if before and after and before.get("key") == after.get("key"):
            return model, _accuracy(before), _accuracy(after)
        return model, None, None

    @staticmethod
    def _confirmed(principal: Principal | None, reason: str, old: float, new: float) -> str:
        drop = f"{(old - new) * 100:.1f}"
        if principal is not None and not principal.can(Permission.manage_accounts):
            raise Refused(old, new, f"Độ chính xác giảm {drop} điểm: chỉ quản trị viên mới "
                                    "được kích hoạt mô hình này (kèm lý do).")
        if not reason.strip():
            raise Refused(old, new, f"Độ chính xác giảm {drop} điểm: cần xác nhận kèm lý do.")
        return reason.strip()[:500]

    async def _until_served(self, file: str) -> bool:
        deadline = time.monotonic() + self.activate_wait
        while time.monotonic() < deadline:
            if await self.serving.served_model() == file:
                await asyncio.sleep(FOLLOW_EVERY + 0.5)  # every worker has followed by then
                return True
            await asyncio.sleep(0.25)
        return False

    # ------------------------------------------------------------ quality
    async def quality(self) -> tuple[ModelRow | None, dict[str, Any] | None]:
        """The active model and its latest held-out measurement (None: not measured yet)."""
        active = await self.store.active_model()
        return active, active.evaluation if active else None


async def keyword_to_guide(flows: FlowService, principal: Principal | None, flow_id: str,
                           words: str) -> str:
    """Publish the guide again with ``words`` among its keywords; an error text or ""."""
    try:
        detail = await flows.detail(flow_id)
    except FlowNotFound:
        return "Không có hướng dẫn này."
    if detail.published is None or detail.head.draft_version is not None:
        return "Hướng dẫn này đang có bản nháp: hãy thêm từ khóa trong bản nháp."
    document = dict(detail.published.document)
    keywords = list(document.get("keywords") or [])
    if fold(words) not in {fold(k) for k in keywords}:
        document["keywords"] = [*keywords, words]
    try:
        version = await flows.save_draft(principal, flow_id, detail.head.latest_version,
                                         document, "Thêm từ khóa từ hộp thư học máy")
        await flows.publish(principal, flow_id, version)
    except FlowInvalid as exc:
        return "; ".join(e.message for e in exc.errors) or "Hướng dẫn không hợp lệ."
    except Conflict:
        return "Hướng dẫn vừa được sửa; hãy thử lại."
    return ""
