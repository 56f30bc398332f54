"""Team members propose a change to a step; editors accept it into the draft or reject it
with a reply the proposer sees."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from bot.accounts.roles import Permission, Principal, require
from bot.clock import Clock, SystemClock
from bot.flows.service import Conflict, FlowNotFound, FlowService, Invalid
from bot.storage.audit import AuditEntry
from bot.storage.flow_store import NewVersion, StaleBase
from bot.storage.proposals import Proposal, ProposalClosed, ProposalStore

REASONS = {
    "screen_changed": "Màn hình đã khác",
    "wrong_text": "Nội dung chưa đúng",
    "unclear": "Khó hiểu với người dân",
    "other": "Khác",
}
MAX_TEXT = 4000
MAX_NOTE = 1000


class ProposalError(ValueError):
    """Why a proposal or a decision is refused (Vietnamese, shown to the person)."""


@dataclass(frozen=True)
class NewProposal:
    flow_id: str
    step_id: str
    reason: str
    text: str | None = None
    note: str = ""
    screenshot: str | None = None


class ProposalService:
    def __init__(self, store: ProposalStore, flows: FlowService, *,
                 clock: Clock | None = None) -> None:
        self.store = store
        self.flows = flows
        self.clock = clock or SystemClock()

    async def propose(self, principal: Principal, new: NewProposal) -> int:
        require(principal, Permission.propose)
        if new.reason not in REASONS:
            raise ProposalError("Hãy chọn lý do đề xuất.")
        text = (new.text or "").strip() or None
        note = new.note.strip()
        if text is None and not note and new.screenshot is None:
            raise ProposalError("Hãy viết nội dung mới, ghi chú hoặc gửi ảnh màn hình.")
        if (text and len(text) > MAX_TEXT) or len(note) > MAX_NOTE:
            raise ProposalError("Nội dung quá dài.")
        detail = await self.flows.detail(new.flow_id)
        steps = {s.get("id") for s in detail.latest.document.get("steps", [])}
        if new.step_id not in steps:
            raise ProposalError("Bước này không còn trong hướng dẫn.")
        return await self.store.add(
            {"flow_id": new.flow_id, "step_id": new.step_id,
             "base_version": detail.head.latest_version, "reason": new.reason, "text": text,
             "note": note, "screenshot": new.screenshot, "proposer_id": principal.account_id,
             "proposer": principal.login},
            self.clock.now(),
            AuditEntry(principal.account_id, principal.login, "proposal.created",
                       new.flow_id, {"step": new.step_id, "reason": new.reason}))

    async def get(self, proposal_id: int) -> Proposal:
        found = await self.store.get(proposal_id)
        if found is None:
            raise FlowNotFound(f"proposal {proposal_id}")
        return found

    async def queue(self, principal: Principal) -> list[Proposal]:
        require(principal, Permission.edit_guides)
        return list(reversed(await self.store.find(status="open")))

    async def decided(self, principal: Principal, limit: int = 50) -> list[Proposal]:
        require(principal, Permission.edit_guides)
        found = await self.store.find(limit=limit)
        return [p for p in found if p.status != "open"]

    async def open_for(self, flow_id: str) -> list[Proposal]:
        return await self.store.find(flow_id=flow_id, status="open")

    async def mine(self, principal: Principal) -> list[Proposal]:
        return await self.store.find(proposer_id=principal.account_id)

    async def accept(self, principal: Principal, proposal_id: int, *, text: str | None,
                     reply: str = "") -> int | None:
        """Apply ``text`` (the proposal's, possibly edited by the editor) to the step in a new
        draft. Returns the draft's version, or None when there was no text to apply."""
        require(principal, Permission.edit_guides)
        proposal = await self.get(proposal_id)
        detail = await self.flows.detail(proposal.flow_id)
        draft = None
        text = (text if text is not None else proposal.text or "").strip()
        if text:
            document = copy.deepcopy(detail.latest.document)
            step = next((s for s in document.get("steps", [])
                         if s.get("id") == proposal.step_id), None)
            if step is None:
                raise ProposalError("Bước này không còn trong bản nháp; hãy từ chối và trả lời.")
            step["text"] = text
            checked = await self.flows.check(proposal.flow_id, document)
            if not checked.ok or checked.flow is None:
                raise Invalid(checked.errors)
            draft = NewVersion(proposal.flow_id, checked.flow.model_dump(mode="json"),
                               principal.login, "proposal",
                               note=f"Đề xuất #{proposal.id} của {proposal.proposer}",
                               base_version=detail.head.latest_version)
        entry = AuditEntry(principal.account_id, principal.login, "proposal.accepted",
                           proposal.flow_id, {"proposal": proposal.id, "step": proposal.step_id})
        try:
            return await self.store.decide(proposal_id, accepted=True, reply=reply.strip(),
                                           reviewer=principal.login, now=self.clock.now(),
                                           entry=entry, draft=draft)
        except StaleBase as exc:
            raise Conflict(exc.latest, "the draft changed meanwhile; try again") from None
        except ProposalClosed:
            raise ProposalError("Đề xuất này đã được xử lý.") from None

    async def reject(self, principal: Principal, proposal_id: int, reply: str) -> None:
        require(principal, Permission.edit_guides)
        if not reply.strip():
            raise ProposalError("Hãy trả lời người đề xuất vì sao chưa nhận.")
        proposal = await self.get(proposal_id)
        entry = AuditEntry(principal.account_id, principal.login, "proposal.rejected",
                           proposal.flow_id, {"proposal": proposal.id, "step": proposal.step_id})
        try:
            await self.store.decide(proposal_id, accepted=False, reply=reply.strip()[:MAX_NOTE],
                                    reviewer=principal.login, now=self.clock.now(), entry=entry)
        except ProposalClosed:
            raise ProposalError("Đề xuất này đã được xử lý.") from None
