"""Announcements: a unit's team tells the residents who agreed what is coming.

Editors of the unit (and admins) write one; team members propose one an editor approves. The
preview shows what each channel will show and how many residents it will reach; sending needs
that count confirmed. The request only records the decision: the ``announcements`` job (once
across workers) expands the audience in batches, each batch one transaction with its delivery
and outbox rows (``bot.outreach``), from the release time on: the send time, or 07:00 when it
falls in the quiet hours. Every change is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from bot.accounts import Principal, Role
from bot.announcements import texts
from bot.announcements.input import Problem, parse_draft
from bot.clock import Clock
from bot.engine.catalog import Catalog
from bot.engine.messages import Button, Reply
from bot.engine.render import fill, places_with_contact
from bot.jobs import JobContext, PeriodicJob
from bot.outreach import delivery
from bot.outreach import texts as outreach_texts
from bot.outreach.hook import STOP
from bot.outreach.rules import WEB_EXPIRED, Rules
from bot.reports.access import Viewer, subtree
from bot.storage import announcements as db
from bot.storage import outreach
from bot.storage.audit import AuditEntry, append_sync
from bot.storage.outreach_plan import plan, reach
from bot.storage.runner import Transactions
from bot.teams.registry import Registry

Wake = Callable[[str, str], None]
ViewerOf = Callable[[Principal], Awaitable[Viewer]]
BATCH = 500
DISPATCH_EVERY = dt.timedelta(seconds=30)


class Announcements:
    def __init__(self, transactions: Transactions, registry: Registry, clock: Clock,
                 catalog: Callable[[], Catalog], viewer_of: ViewerOf, *,
                 rules: Rules | None = None, unit_per_day: int = 2, unit_per_week: int = 6,
                 wake: Wake | None = None, batch: int = BATCH) -> None:
        self.transactions = transactions
        self.registry = registry
        self.clock = clock
        self.catalog = catalog
        self.viewer_of = viewer_of
        self.rules = rules or Rules()
        self.unit_per_day, self.unit_per_week = unit_per_day, unit_per_week
        self.wake = wake or (lambda channel, recipient: None)
        self.batch = batch

    # ------------------------------------------------------------- writing
    async def create(self, principal: Principal, data: dict[str, Any]) -> db.AnnouncementRow:
        draft = parse_draft(data, self.registry.directory, self.catalog(), self.clock.now())
        await self._scope(principal, draft.unit_id)
        state = db.DRAFT if _edits(principal) else db.PROPOSED
        now = self.clock.now()

        def run(conn: Any) -> db.AnnouncementRow:
            new_id = db.insert(conn, unit_id=draft.unit_id,
                               include_subunits=draft.include_subunits, text=draft.text,
                               flow_id=draft.flow_id, audience_flow=draft.audience_flow,
                               unfinished_only=draft.unfinished_only, send_at=draft.send_at,
                               state=state, created_by=principal.login, created_at=now,
                               approved_by=principal.login if state == db.DRAFT else None)
            _audit(conn, principal, "announcement_" + ("created" if state == db.DRAFT
                                                       else "proposed"), new_id,
                   {"unit": draft.unit_id}, now)
            found = db.get(conn, new_id)
            assert found is not None
            return found

        return await self.transactions.run(run)

    async def approve(self, principal: Principal, announcement_id: int) -> db.AnnouncementRow:
        row = await self.get(principal, announcement_id)
        if not _edits(principal):
            raise Problem(403, texts.ONLY_EDITORS)
        if row.state != db.PROPOSED:
            raise Problem(409, texts.NOT_PROPOSED)
        now = self.clock.now()

        def run(conn: Any) -> db.AnnouncementRow:
            db.change(conn, row.id, state=db.DRAFT, approved_by=principal.login)
            _audit(conn, principal, "announcement_approved", row.id, {}, now)
            found = db.get(conn, row.id)
            assert found is not None
            return found

        return await self.transactions.run(run)

    async def get(self, principal: Principal, announcement_id: int) -> db.AnnouncementRow:
        row = await self.transactions.run(lambda conn: db.get(conn, announcement_id))
        if row is None:
            raise Problem(404, texts.NOT_FOUND)
        await self._scope(principal, row.unit_id)
        return row

    async def listing(self, principal: Principal) -> list[db.AnnouncementRow]:
        viewer = await self.viewer_of(principal)
        directory = self.registry.directory
        units = None if viewer.roots is None else sorted(
            {u for root in viewer.roots for u in subtree(directory, root)})
        return await self.transactions.run(lambda conn: db.listing(conn, units))

    async def units_for(self, principal: Principal) -> list[tuple[str, str]]:
        """The units ``principal`` may write to: (id, label), the highest first."""
        viewer = await self.viewer_of(principal)
        directory = self.registry.directory
        order = {"province": 0, "commune": 1, "village": 2}
        units = [u for u in directory.units.values() if viewer.may_see(directory, u.id)]
        units.sort(key=lambda u: (order.get(u.level, 3), u.name))
        return [(u.id, directory.label(u.id)) for u in units]

    def guides(self) -> list[tuple[str, str]]:
        """(id, title) of every guide served, for the "Xem hướng dẫn" button."""
        return sorted(((c.flow.id, c.flow.title) for c in self.catalog().flows.values()),
                      key=lambda pair: pair[1])

    async def units_seen(self, principal: Principal) -> list[str] | None:
        """Every unit whose figures ``principal`` sees (None: all)."""
        viewer = await self.viewer_of(principal)
        if viewer.roots is None:
            return None
        return sorted({u for root in viewer.roots
                       for u in subtree(self.registry.directory, root)})

    def exact_for(self, viewer: Viewer, unit_id: str) -> bool:
        """The "<5" rule of the results: exact figures only for the unit's own team."""
        return viewer.exact_for(self.registry.directory, unit_id)

    # ------------------------------------------------------------- preview and send
    def replies_for(self, row: db.AnnouncementRow, unit_id: str | None) -> tuple[Reply, ...]:
        """Exactly what a resident of ``unit_id`` is sent."""
        places = places_with_contact(self.registry.directory.places(unit_id))
        text = outreach_texts.FRAME.format(team_name=places["team_name"],
                                           text=fill(row.text, places))
        buttons = []
        compiled = self.catalog().get(row.flow_id) if row.flow_id else None
        if compiled is not None:
            buttons.append(Button(outreach_texts.OPEN_GUIDE_BUTTON, f"f:{compiled.flow.id}"))
        buttons.append(Button(outreach_texts.STOP_BUTTON, STOP))
        return (Reply(text, tuple(buttons)),)

    async def preview(self, principal: Principal, announcement_id: int) -> dict[str, Any]:
        row = await self.get(principal, announcement_id)
        reach, skipped = await self._reach(row)
        now = self.clock.now()
        release = self.rules.release_time(max(row.send_at or now, now))
        sample = self.replies_for(row, row.unit_id)[0]
        shown = {"text": sample.text, "buttons": [b.label for b in sample.buttons]}
        return {"count": sum(reach.values()), "by_channel": dict(reach),
                "skipped": dict(skipped), "messages": {c: shown for c in ("web", "telegram",
                                                                           "zalo")},
                "release_at": release.isoformat(), "held": release > max(row.send_at or now,
                                                                         now)}

    async def _reach(self, row: db.AnnouncementRow) -> tuple[Counter[str], Counter[str]]:
        """Residents it would reach per channel now, and those it would skip, by reason."""
        units = self._units(row)
        now = self.clock.now()
        skip, _ = delivery.planner(self.rules, lambda r: (), now)

        def run(conn: Any) -> tuple[Counter[str], Counter[str]]:
            return reach(conn, db.KIND, units, skip, now, flow_id=row.audience_flow,
                         unfinished_only=row.unfinished_only)

        return await self.transactions.run(run)

    async def send(self, principal: Principal, announcement_id: int, confirm_count: Any
                   ) -> db.AnnouncementRow:
        row = await self.get(principal, announcement_id)
        if not _edits(principal):
            raise Problem(403, texts.ONLY_EDITORS)
        if row.state == db.PROPOSED:
            raise Problem(409, texts.NEEDS_APPROVAL)
        if row.state != db.DRAFT:
            raise Problem(409, texts.ALREADY_SENT)
        if isinstance(confirm_count, bool) or not isinstance(confirm_count, int):
            raise Problem(400, texts.CONFIRM_COUNT)
        reach, _ = await self._reach(row)
        count = sum(reach.values())
        if confirm_count != count:
            raise Problem(409, texts.COUNT_CHANGED.format(count=count), count=count)
        now = self.clock.now()
        release = self.rules.release_time(max(row.send_at or now, now))

        def run(conn: Any) -> db.AnnouncementRow:
            locked = db.get(conn, row.id, lock=True)
            if locked is None or locked.state != db.DRAFT:
                raise Problem(409, texts.ALREADY_SENT)
            day = db.confirmed_since(conn, row.unit_id, now - dt.timedelta(days=1))
            week = db.confirmed_since(conn, row.unit_id, now - dt.timedelta(days=7))
            if day >= self.unit_per_day or week >= self.unit_per_week:
                raise Problem(409, texts.UNIT_LIMIT.format(day=self.unit_per_day,
                                                            week=self.unit_per_week))
            db.change(conn, row.id, state=db.SCHEDULED, confirmed_at=now, release_at=release,
                      targeted=count)
            _audit(conn, principal, "announcement_sent", row.id,
                   {"count": count, "release_at": release.isoformat()}, now)
            found = db.get(conn, row.id)
            assert found is not None
            return found

        return await self.transactions.run(run)

    # ------------------------------------------------------------- what happened
    async def status(self, principal: Principal, announcement_id: int) -> dict[str, Any]:
        row = await self.get(principal, announcement_id)
        found = await self.transactions.run(lambda conn: db.figures(conn, row))
        return summarise(row, found)

    # ------------------------------------------------------------- the job
    def job(self) -> PeriodicJob:
        async def run(context: JobContext) -> None:
            await self.dispatch(context.now)

        return PeriodicJob("announcements", DISPATCH_EVERY, run)

    async def dispatch(self, now: dt.datetime | None = None, max_batches: int = 1000) -> int:
        """Expand due announcements batch by batch; the residents newly targeted."""
        targeted = 0
        for _ in range(max_batches):
            done = await self.transactions.run(self._batcher(now or self.clock.now()))
            if done is None:
                break
            targeted += done
        return targeted

    def _batcher(self, now: dt.datetime) -> Callable[[Any], int | None]:
        return lambda conn: self._batch(conn, now)

    def _batch(self, conn: Any, now: dt.datetime) -> int | None:
        row = db.due(conn, now)
        if row is None:
            return None
        if not self.rules.sending_allowed(now):  # a batch left when the evening came
            db.change(conn, row.id, release_at=self.rules.release_time(now))
            return None
        recipients = outreach.audience(conn, self._units(row), row.cursor, self.batch,
                                       flow_id=row.audience_flow,
                                       unfinished_only=row.unfinished_only)
        skip, message = delivery.planner(self.rules,
                                         lambda r: self.replies_for(row, r.unit_id), now)
        outcome = plan(conn, db.KIND, row.id, recipients, skip, message, now)
        finished = len(recipients) < self.batch
        db.change(conn, row.id, state=db.SENT if finished else db.SENDING,
                  cursor=recipients[-1].resident_id if recipients else row.cursor,
                  finished_at=now if finished else None)
        for r in recipients:
            if outcome and r.channel == delivery.WEB:
                self.wake(delivery.WEB, r.external_id)
        for channel in delivery.SENT_CHANNELS:
            self.wake(delivery.proactive(channel), "")
        return sum(outcome.values())

    def _units(self, row: db.AnnouncementRow) -> list[str]:
        if not row.include_subunits:
            return [row.unit_id]
        return subtree(self.registry.directory, row.unit_id)

    async def _scope(self, principal: Principal, unit_id: str) -> None:
        viewer = await self.viewer_of(principal)
        if not viewer.may_see(self.registry.directory, unit_id):
            raise Problem(403, texts.OTHER_UNIT)


def summarise(row: db.AnnouncementRow, found: dict[str, Any]) -> dict[str, Any]:
    """The contract's figures from :func:`bot.storage.announcements.figures`."""
    counts: dict[tuple[str, str, str | None], int] = found["counts"]
    web: dict[str, int] = found["web"]
    by_status: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for (channel, status, reason), n in counts.items():
        if channel == delivery.WEB and status == outreach.QUEUED:
            continue
        by_status[status] += n
        if status == outreach.SKIPPED:
            skipped[reason or "other"] += n
    skipped[WEB_EXPIRED] += web.get("expired", 0)
    delivered_web = web.get("sent", 0)
    sent = by_status[outreach.SENT] + sum(web.values()) - web.get("expired", 0)
    return {
        "id": row.id, "state": row.state, "unit_id": row.unit_id,
        "release_at": row.release_at.isoformat() if row.release_at else None,
        "targeted": sum(counts.values()), "sent": sent,
        "delivered": by_status[outreach.SENT] + delivered_web,
        "waiting": by_status[outreach.QUEUED] + by_status[outreach.SENDING],
        "skipped": sum(skipped.values()), "skipped_by_reason": {k: v for k, v in skipped.items()
                                                                if v},
        "failed": by_status[outreach.FAILED] + by_status[outreach.UNCERTAIN],
        "uncertain": by_status[outreach.UNCERTAIN],
        "opened_guide": found["opened"], "opted_out_after": found["opted_out_after"],
    }


def _edits(principal: Principal) -> bool:
    return principal.role in (Role.admin, Role.editor)


def _audit(conn: Any, principal: Principal, action: str, announcement_id: int,
           details: dict[str, Any], now: dt.datetime) -> None:
    append_sync(conn, AuditEntry(principal.account_id, principal.login, action,
                                 f"announcement:{announcement_id}", details), now)


__all__ = ["Announcements", "Problem", "summarise"]
