"""What the console, Telegram and the jobs call for reach and results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.accounts import Principal, Role
from bot.clock import Clock
from bot.engine.catalog import Catalog
from bot.reports.access import Viewer
from bot.reports.handout import Handout, handout
from bot.reports.links import GuideLink, Links
from bot.reports.pdf import handouts_pdf
from bot.reports.recorder import OptOuts, Recorder
from bot.reports.results import Results
from bot.storage import teams as team_db
from bot.storage.runner import Transactions
from bot.storage.teams import MemberRow, UnitRow
from bot.teams.registry import Registry


class UnknownGuide(KeyError):
    pass


class UnknownUnit(KeyError):
    pass


@dataclass(frozen=True)
class Team:
    name: str
    phone: str | None


class Reports:
    def __init__(self, transactions: Transactions, registry: Registry,
                 catalog: Callable[[], Catalog], links: Links, clock: Clock) -> None:
        self.transactions = transactions
        self.registry = registry
        self.catalog = catalog
        self.links = links
        self.clock = clock
        self.results = Results(transactions, lambda: registry.directory, catalog)
        self.optouts = OptOuts(transactions, clock)
        self.recorder = Recorder(clock, self._label)

    def _label(self, flow_id: str) -> str:
        compiled = self.catalog().get(flow_id)
        return compiled.label if compiled is not None else flow_id

    # ------------------------------------------------------------- who
    async def viewer(self, principal: Principal) -> Viewer:
        """Admins and province editors see everything; others their commune or team."""
        if principal.role is Role.admin or (principal.role is Role.editor
                                            and principal.commune is None):
            return Viewer(None)
        if principal.commune is not None:
            return Viewer(frozenset({principal.commune}))
        members = await self.transactions.run(
            lambda conn: team_db.members_by_account(conn, principal.account_id))
        return Viewer(frozenset(m.unit_id for m in members))

    async def telegram_members(self, telegram_user: int) -> list[MemberRow]:
        return await self.transactions.run(
            lambda conn: team_db.members_by_telegram(conn, telegram_user))

    async def member(self, member_id: int) -> MemberRow | None:
        return await self.transactions.run(lambda conn: team_db.member(conn, member_id))

    async def unit_members(self, unit_id: str) -> list[MemberRow]:
        return await self.registry.members(unit_id)

    def unit(self, unit_id: str) -> UnitRow:
        found = self.registry.directory.get(unit_id)
        if found is None:
            raise UnknownUnit(unit_id)
        return found

    def team(self, unit_id: str) -> Team:
        """The team residents of ``unit_id`` are told to ask: nearest name and phone."""
        directory = self.registry.directory
        chain = directory.chain(unit_id)
        name = next((u.team_name for u in chain if u.team_name), None)
        phone = next((u.team_phone for u in chain if u.team_phone), None)
        return Team(name or directory.team(self.unit(unit_id)).name, phone)

    # ------------------------------------------------------------- links and handouts
    async def link(self, flow_id: str, unit_id: str, member: int | None = None) -> GuideLink:
        catalog = self.catalog()
        if flow_id not in catalog.flows:
            raise UnknownGuide(flow_id)
        self.unit(unit_id)
        return await self.links.link(catalog, flow_id, unit_id, member)

    async def handouts(self, flow_ids: list[str], unit_id: str, member: int | None = None
                       ) -> list[Handout]:
        catalog, team = self.catalog(), self.team(unit_id)
        return [handout(catalog.flows[f], await self.link(f, unit_id, member), team.name,
                        team.phone) for f in flow_ids]

    def guide_ids(self) -> list[str]:
        """Every guide, in menu order (the bulk handout's order)."""
        return [c.flow.id for group in self.catalog().groups().values() for c in group]

    async def handout_pdf(self, flow_ids: list[str], unit_id: str, *, size: str = "a4",
                          member: int | None = None) -> bytes:
        return handouts_pdf(await self.handouts(flow_ids, unit_id, member), size)

    # ------------------------------------------------------------- choices
    async def notices_on(self, member_id: int) -> bool:
        return not await self.optouts.chosen([f"member:{member_id}"])

    async def set_notices(self, member_id: int, on: bool) -> None:
        await self.optouts.choose(f"member:{member_id}", not on)

    async def weekly_on(self, unit_id: str) -> bool:
        return not await self.optouts.chosen([f"unit:{unit_id}"])

    async def set_weekly(self, unit_id: str, on: bool) -> None:
        await self.optouts.choose(f"unit:{unit_id}", not on)
