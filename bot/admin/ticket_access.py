"""Who sees and acts on which ticket in the console, shared by the inbox pages and the JSON
API (``/admin/api/tickets``), so both answer the same.

Admins see every ticket; a team member the tickets of their units' teams; an editor of a
commune also that commune's and its villages'. To act on a ticket one must be a member of a
team that had it; an admin (or the commune's editor) who acts becomes a console member of
that team, so the resident is told a name and the claim is theirs.
"""

from __future__ import annotations

from bot.accounts import Permission, Principal, Role
from bot.admin.context import ConsoleServices
from bot.admin.views_units import entry
from bot.storage.teams import MemberRow
from bot.teams.team_inbox import TeamInbox, TicketView


class TicketAccess:
    def __init__(self, services: ConsoleServices) -> None:
        self.services = services

    @property
    def inbox(self) -> TeamInbox:
        return self.services.team_inbox

    async def scope(self, principal: Principal) -> list[str] | None:
        """The units whose tickets ``principal`` sees (None: all)."""
        if principal.can(Permission.manage_accounts):
            return None
        units = {m.unit_id for m in await self.inbox.members_of(principal.account_id)}
        if principal.role is Role.editor and principal.commune:
            directory = self.services.registry.directory
            units |= {principal.commune, *(u.id for u in directory.children(principal.commune))}
        return sorted(units)

    async def view(self, ticket_id: int, principal: Principal) -> TicketView | None:
        return await self.inbox.ticket(ticket_id, await self.scope(principal))

    async def own_member_ids(self, principal: Principal) -> set[int]:
        return {m.id for m in await self.inbox.members_of(principal.account_id)}

    async def acting(self, principal: Principal, view: TicketView) -> MemberRow | None:
        """The member ``principal`` acts as on this ticket (None: they may not)."""
        ticket = view.ticket
        units = {u for u in (ticket.team_unit, *(p.unit_id for p in view.posts)) if u}
        mine = [m for m in await self.inbox.members_of(principal.account_id)
                if m.unit_id in units]
        if mine:
            return next((m for m in mine if m.id == ticket.claimed_by), mine[0])
        commune = self.services.registry.directory.commune_of(ticket.team_unit)
        allowed = principal.can(Permission.manage_accounts) or (
            commune is not None and principal.can(Permission.edit_commune, commune.id))
        if not allowed or ticket.team_unit is None:
            return None
        return await self.inbox.add_console_member(
            ticket.team_unit, principal.account_id, principal.login,
            audit=entry(principal, "team.member_added", ticket.team_unit,
                        account=principal.login))
