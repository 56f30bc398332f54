"""Residents' data rights: the chat's "xem / xóa dữ liệu của tôi", the staff CLI, retention.

The engine only decides (it emits ``data_export_requested`` or ``data_erasure_requested``);
this service reads or erases the data and words the answer, so a resident is told "erased"
only after the erasure committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from bot.clock import Clock, SystemClock
from bot.engine import payloads
from bot.engine.catalog import Catalog
from bot.engine.messages import Button, Reply
from bot.engine.render import MENU_BUTTON
from bot.jobs import JobContext, PeriodicJob
from bot.residents import texts
from bot.storage.residents_data import Erasure, ResidentDataStore

RECENT_SHOWN = 5
RECENT_CHARS = 80
RETENTION_JOB = "message_retention"


def _date(stamp: str | None) -> str:
    return dt.datetime.fromisoformat(stamp).strftime("%d/%m/%Y") if stamp else "?"


class DataRights:
    # The engine's events that ask for this service (the conversation service checks them).
    REQUESTS: ClassVar[frozenset[str]] = frozenset({"data_export_requested",
                                                    "data_erasure_requested"})

    def __init__(self, store: ResidentDataStore, *, retention_days: int = 180,
                 clock: Clock | None = None) -> None:
        self.store = store
        self.retention = dt.timedelta(days=retention_days)
        self.clock = clock or SystemClock()

    async def export(self, channel: str, external_id: str) -> dict[str, Any] | None:
        return await self.store.export(channel, external_id)

    async def erase(self, channel: str, external_id: str) -> Erasure | None:
        return await self.store.erase(channel, external_id, self.clock.now().date())

    async def summary(self, channel: str, external_id: str, catalog: Catalog) -> list[Reply]:
        """What the resident sees when asking what is stored about them."""
        data = await self.store.export(channel, external_id)
        if data is None:
            return [Reply(texts.NOTHING_STORED, (MENU_BUTTON,))]
        resident, state = data["resident"], data["resident"]["state"] or {}
        lines = [texts.SUMMARY_HEAD,
                 texts.CHANNEL.format(channel=texts.CHANNELS.get(channel, channel))]
        if resident["commune"]:
            lines.append(texts.COMMUNE.format(commune=resident["commune"]))
        compiled = catalog.get(state.get("flow"))
        lines.append(texts.GUIDE.format(title=compiled.flow.title) if compiled
                     else texts.NO_GUIDE)
        if state.get("slots"):
            lines.append(texts.CHOICES.format(choices=", ".join(state["slots"].values())))
        messages = [m for m in data["messages"] if m.get("text")]
        lines.append(texts.MESSAGES.format(count=len(data["messages"]),
                                           since=_date(resident["created_at"])))
        if data["handoffs"]:
            lines.append(texts.HANDOFFS.format(count=len(data["handoffs"])))
        news = data.get("announcements")
        if news:
            lines.append(texts.NEWS_ON.format(since=_date(news["opted_in_at"]))
                         if news["subscribed"] else
                         texts.NEWS_OFF.format(since=_date(news["opted_out_at"])))
        if messages:
            lines.append(texts.RECENT)
            lines += [f"  – «{m['text'][:RECENT_CHARS]}»" for m in messages[-RECENT_SHOWN:]]
        lines.append(texts.RETENTION.format(days=self.retention.days))
        erase = Button(texts.ERASE_BUTTON, payloads.command("forget"))
        return [Reply("\n".join(lines), (erase, MENU_BUTTON))]

    async def erase_reply(self, channel: str, external_id: str) -> list[Reply]:
        """Erase, then say so (only once it is done)."""
        erased = await self.erase(channel, external_id)
        if erased is None:
            return [Reply(texts.ERASED_NOTHING, (MENU_BUTTON,))]
        return [Reply(texts.ERASED.format(messages=erased.messages, handoffs=erased.handoffs),
                      (MENU_BUTTON,))]

    async def erase_old_texts(self, context: JobContext) -> str:
        """The retention job: blank message texts older than the retention period. Its cursor
        is the previous cut-off, so each run only reads the days added since."""
        cutoff = context.now - self.retention
        since = dt.datetime.fromisoformat(context.cursor) if context.cursor else None
        await self.store.erase_texts(since, cutoff)
        return cutoff.isoformat()

    def retention_job(self) -> PeriodicJob:
        return PeriodicJob(RETENTION_JOB, dt.timedelta(hours=6), self.erase_old_texts,
                           timeout=dt.timedelta(minutes=30))
