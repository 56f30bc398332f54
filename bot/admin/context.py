"""What the console's handlers call: the same services as the command line."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from bot.accounts import AccountService
from bot.announcements.service import Announcements
from bot.flows.communes import CommuneService
from bot.flows.images import ImageService
from bot.flows.preview import PreviewService
from bot.flows.proposals import ProposalService
from bot.flows.service import FlowService
from bot.nluloop.loop import LearningLoop
from bot.outreach.followups import FollowUps
from bot.reports.service import Reports
from bot.teams.hours import VIETNAM
from bot.teams.registry import Registry
from bot.teams.team_inbox import TeamInbox

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass
class ConsoleServices:
    accounts: AccountService
    flows: FlowService
    proposals: ProposalService
    communes: CommuneService
    images: ImageService
    registry: Registry
    team_inbox: TeamInbox
    reports: Reports  # reach and results (bot/reports)
    learning: LearningLoop  # the NLU learning loop (bot/nluloop)
    announcements: Announcements  # a team's news (bot/announcements)
    followups: FollowUps  # the assistant comes back after a wait (bot/outreach)


JINJA = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                    trim_blocks=True, lstrip_blocks=True)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def _bold(text: str) -> Markup:
    """``**bold**`` as the web chat shows it; everything else escaped."""
    return Markup(_BOLD.sub(lambda m: f"<b>{m[1]}</b>", str(escape(text))))


JINJA.filters["bold"] = _bold


def vietnam_time(moment: dt.datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A stored (UTC) moment as console users read it: Vietnam time, labelled."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return f"{aware.astimezone(VIETNAM).strftime(pattern)} giờ VN"


JINJA.filters["vn"] = vietnam_time


@dataclass
class Admin:
    services: ConsoleServices
    preview: PreviewService
    secure_cookies: bool = False  # also set automatically on HTTPS requests
