"""Drafts, publish, history, diff and rollback of the guides.

A version is served only when it passes every check of ``flows validate``: an invalid draft
cannot be published, an invalid file is not imported as served, and the catalog skips any
stored version that fails (see :mod:`bot.flows.live`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.accounts.roles import Permission, Principal, cli_actor, require
from bot.clock import Clock, SystemClock
from bot.flows.diff import FlowDiff, diff_documents
from bot.flows.search import Hit, search
from bot.flows.validation import Checked, FieldError, check_document, check_yaml
from bot.flows.yamlio import to_yaml
from bot.flowspec import load_flows
from bot.flowspec.loader import Problem
from bot.storage.audit import AuditEntry
from bot.storage.flow_stats import started_and_finished
from bot.storage.flow_store import FlowStore, Head, NewVersion, NoSuchVersion, StaleBase, Version
from bot.storage.proposals import ProposalStore

REVIEW_PERIOD_MONTHS = 6
STATS_DAYS = 30


class FlowNotFound(LookupError):
    pass


class Invalid(ValueError):
    """The document fails the checks; ``errors`` say where and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


class Conflict(Exception):
    """Saving on a stale base, or publishing a version that is not the newest."""

    def __init__(self, latest: int, message: str) -> None:
        super().__init__(message)
        self.latest = latest


def review_due(document: dict[str, Any]) -> dt.date | None:
    """``review_by``, else ``reviewed`` + 6 months."""
    for key in ("review_by", "reviewed"):
        value = document.get(key)
        if isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue
            if key == "review_by":
                return day
            month = day.month - 1 + REVIEW_PERIOD_MONTHS
            year, month = day.year + month // 12, month % 12 + 1
            return day.replace(year=year, month=month, day=min(day.day, 28))
    return None


@dataclass(frozen=True)
class FlowSummary:
    id: str
    title: str
    menu_group: str
    published_version: int | None
    draft_version: int | None
    open_proposals: int
    last_author: str | None
    updated_at: dt.datetime
    reviewed: str | None
    review_by: dt.date | None
    overdue: bool
    started_30d: int
    finished_30d: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "published_version": self.published_version,
                "draft_version": self.draft_version}


@dataclass(frozen=True)
class FlowDetail:
    head: Head
    latest: Version  # what an editor works on: the draft, else the served version
    published: Version | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.head.flow_id, "published_version": self.head.published_version,
                "draft_version": self.head.draft_version,
                "latest_version": self.head.latest_version, "document": self.latest.document}


def _entry(principal: Principal | None, action: str, target: str, **details: Any
           ) -> AuditEntry:
    if principal is None:
        return AuditEntry(None, cli_actor(), action, target, details)
    return AuditEntry(principal.account_id, principal.login, action, target, details)


class FlowService:
    def __init__(self, store: FlowStore, proposals: ProposalStore, flows_dir: Path, *,
                 clock: Clock | None = None, on_publish: Callable[[], None] | None = None
                 ) -> None:
        self.store = store
        self.proposals = proposals
        self.flows_dir = flows_dir
        self.clock = clock or SystemClock()
        self.on_publish = on_publish or (lambda: None)

    # ------------------------------------------------------------- reading
    async def summaries(self) -> list[FlowSummary]:
        """Every guide, overdue reviews first, then by menu group and title."""
        heads = await self.store.heads()
        latest = await self.store.latest_documents()
        proposals = await self.proposals.open_counts()
        now = self.clock.now()
        stats = await started_and_finished(self.store.engine, now - dt.timedelta(STATS_DAYS))
        rows = []
        for flow_id, head in heads.items():
            version = latest[flow_id]
            document = version.document
            due = review_due(document)
            started, finished = stats.get(flow_id, (0, 0))
            rows.append(FlowSummary(
                id=flow_id, title=str(document.get("title", flow_id)),
                menu_group=str(document.get("menu_group", "other")),
                published_version=head.published_version, draft_version=head.draft_version,
                open_proposals=proposals.get(flow_id, 0), last_author=version.author,
                updated_at=version.created_at, reviewed=document.get("reviewed"),
                review_by=due, overdue=due is not None and due < now.date(),
                started_30d=started, finished_30d=finished))
        return sorted(rows, key=lambda r: (not r.overdue, r.menu_group, r.title))

    async def detail(self, flow_id: str) -> FlowDetail:
        head = await self.store.head(flow_id)
        if head is None:
            raise FlowNotFound(flow_id)
        latest = await self.version(flow_id, head.latest_version)
        published = (await self.store.version(flow_id, head.published_version)
                     if head.published_version else None)
        return FlowDetail(head, latest, published)

    async def version(self, flow_id: str, version: int) -> Version:
        found = await self.store.version(flow_id, version)
        if found is None:
            raise FlowNotFound(f"{flow_id} v{version}")
        return found

    async def versions(self, flow_id: str) -> list[Version]:
        found = await self.store.versions(flow_id)
        if not found:
            raise FlowNotFound(flow_id)
        return found

    async def diff(self, flow_id: str, old: int, new: int) -> FlowDiff:
        a, b = await self.version(flow_id, old), await self.version(flow_id, new)
        return diff_documents(a.document, b.document)

    async def known_ids(self) -> set[str]:
        return set(await self.store.heads())

    async def search(self, query: str, *, drafts: bool = True) -> list[Hit]:
        """Search the texts editors work on (drafts included) or only the served ones."""
        versions = await self.store.latest_documents()
        if not drafts:
            heads = await self.store.heads()
            versions = {k: v for k, v in versions.items()
                        if heads[k].published_version == v.version}
        return search((v.document for v in versions.values()), query)

    async def check(self, flow_id: str, document: Any) -> Checked:
        return check_document(document, flow_id=flow_id, known_ids=await self.known_ids(),
                              flows_dir=self.flows_dir)

    async def check_text(self, flow_id: str, text: str) -> Checked:
        return check_yaml(text, flow_id=flow_id, known_ids=await self.known_ids(),
                          flows_dir=self.flows_dir)

    # ------------------------------------------------------------- writing
    async def save_draft(self, principal: Principal | None, flow_id: str, base_version: int,
                         document: Any, note: str = "") -> int:
        """Store ``document`` as a new draft on top of ``base_version``.

        Raises :class:`Invalid` (nothing stored), :class:`Conflict` when another version was
        written since ``base_version``, :class:`FlowNotFound`. A document identical to
        ``base_version``, the newest, stores nothing and returns that version."""
        require(principal, Permission.edit_guides)
        await self.detail(flow_id)
        checked = await self.check(flow_id, document)
        return await self._save_checked(principal, flow_id, base_version, checked, note)

    async def save_yaml(self, principal: Principal | None, flow_id: str, base_version: int,
                        text: str, note: str = "") -> int:
        require(principal, Permission.edit_guides)
        await self.detail(flow_id)
        checked = await self.check_text(flow_id, text)
        return await self._save_checked(principal, flow_id, base_version, checked, note)

    async def _save_checked(self, principal: Principal | None, flow_id: str, base: int,
                            checked: Checked, note: str) -> int:
        if not checked.ok or checked.flow is None:
            raise Invalid(checked.errors)
        document = checked.flow.model_dump(mode="json")
        latest = (await self.detail(flow_id)).latest
        if latest.version == base and latest.document == document:
            return base  # nothing changed: no new version, nothing in the history
        author = principal.login if principal else cli_actor()
        new = NewVersion(flow_id, document, author, "console", note=note, base_version=base)
        try:
            return await self.store.add(new, self.clock.now(),
                                        _entry(principal, "flow.draft_saved", flow_id,
                                               base=base, note=note[:200]))
        except StaleBase as exc:
            raise Conflict(exc.latest, f"version {exc.latest} was saved after version {base}"
                           ) from None

    async def publish(self, principal: Principal | None, flow_id: str, version: int) -> None:
        """Serve ``version`` (the newest draft). Invalid -> :class:`Invalid`, nothing served;
        an older version -> :class:`Conflict` (use :meth:`rollback`)."""
        require(principal, Permission.edit_guides)
        detail = await self.detail(flow_id)
        if version == detail.head.published_version:
            return
        target = await self.version(flow_id, version)
        checked = await self.check(flow_id, target.document)
        if not checked.ok:
            raise Invalid(checked.errors)
        try:
            await self.store.publish(flow_id, version, self.clock.now(),
                                     _entry(principal, "flow.published", flow_id,
                                            version=version))
        except StaleBase as exc:
            raise Conflict(exc.latest, f"version {version} is not the newest draft "
                                       f"({exc.latest})") from None
        except NoSuchVersion:
            raise FlowNotFound(flow_id) from None
        self.on_publish()

    async def rollback(self, principal: Principal | None, flow_id: str, version: int) -> int:
        """Publish the content of an old version as a new version; returns its number."""
        require(principal, Permission.edit_guides)
        old = await self.version(flow_id, version)
        checked = await self.check(flow_id, old.document)
        if not checked.ok:
            raise Invalid(checked.errors)
        new = NewVersion(flow_id, old.document, principal.login if principal else cli_actor(),
                         "rollback", note=f"Khôi phục phiên bản {version}", publish=True)
        number = await self.store.add(new, self.clock.now(), _entry(
            principal, "flow.rolled_back", flow_id, to=version))
        self.on_publish()
        return number

    # ------------------------------------------------------------- seed files
    async def import_dir(self, flows_dir: Path) -> tuple[list[Version], list[Problem]]:
        """Import ``flows_dir`` as at start-up: a file that fails a check is never served."""
        loaded, problems = await asyncio.to_thread(load_flows, [flows_dir])
        broken = {p.file for p in problems}
        items = [(item.flow.model_dump(mode="json"), item.file not in broken)
                 for item in loaded]
        stored = await self.store.import_documents(items, self.clock.now())
        if any(v.published for v in stored):
            self.on_publish()
        return stored, problems

    async def export_dir(self, target: Path) -> list[Path]:
        """Write every served guide as ``<id>.yml`` in the format of ``flows/``."""
        files: dict[Path, str] = {}
        for flow_id, head in sorted((await self.store.heads()).items()):
            if head.published_version is not None:
                version = await self.version(flow_id, head.published_version)
                files[target / f"{flow_id}.yml"] = to_yaml(version.document)
        await asyncio.to_thread(write_files, files)
        return list(files)


def write_files(files: dict[Path, str]) -> None:
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
