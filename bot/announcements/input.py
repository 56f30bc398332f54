"""Reading an announcement as written in the console or the API: every problem is a
:class:`Problem` with a status and a message for people, never a traceback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.announcements import texts
from bot.engine.catalog import Catalog
from bot.flowspec.model import PLACEHOLDER_RE, PLACEHOLDERS
from bot.privacy.masking import sensitive_kinds
from bot.privacy.rules import Sensitive
from bot.teams.directory import Directory
from bot.teams.hours import VIETNAM

MAX_TEXT = 2000
# What a notice to many residents may never hold (a team's phone number is fine).
SECRETS = frozenset({Sensitive.id_number, Sensitive.card, Sensitive.otp, Sensitive.password,
                     Sensitive.bank_account})


class Problem(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


@dataclass(frozen=True)
class Draft:
    unit_id: str
    text: str
    flow_id: str | None
    send_at: dt.datetime | None
    include_subunits: bool
    audience_flow: str | None
    unfinished_only: bool


def _optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Problem(400, texts.BAD_FIELD.format(name=name))
    return value.strip() or None


def _bool(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Problem(400, texts.BAD_BOOL.format(name=name))
    return value


def check_text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise Problem(400, texts.NO_TEXT)
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise Problem(400, texts.TOO_LONG.format(length=len(text), limit=MAX_TEXT))
    for name in PLACEHOLDER_RE.findall(text):
        if name not in PLACEHOLDERS:
            known = ", ".join(sorted("{" + p + "}" for p in PLACEHOLDERS))
            raise Problem(400, texts.UNKNOWN_PLACEHOLDER.format(name=name, known=known))
    if sensitive_kinds(text) & SECRETS:
        raise Problem(400, texts.SECRET)
    return text


def parse_time(raw: str | None, now: dt.datetime) -> dt.datetime | None:
    if raw is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Problem(400, texts.BAD_TIME) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)  # the teams' own time
    moment = moment.astimezone(dt.UTC)
    if moment < now - dt.timedelta(minutes=5):
        raise Problem(400, texts.PAST_TIME)
    return moment


def parse_draft(data: dict[str, Any], directory: Directory, catalog: Catalog,
                now: dt.datetime) -> Draft:
    unit = _optional_str(data, "unit_id")
    if unit is None:
        raise Problem(400, texts.NO_UNIT)
    if not directory.knows(unit):
        raise Problem(404, texts.UNKNOWN_UNIT.format(unit=unit[:40]))
    text = check_text(data.get("text"))
    flows = []
    for name in ("flow_id", "audience_flow"):
        flow = _optional_str(data, name)
        if flow is not None and catalog.get(flow) is None:
            raise Problem(400, texts.UNKNOWN_GUIDE.format(flow=flow[:40]))
        flows.append(flow)
    return Draft(unit_id=unit, text=text, flow_id=flows[0],
                 send_at=parse_time(_optional_str(data, "send_at"), now),
                 include_subunits=_bool(data, "include_subunits", True),
                 audience_flow=flows[1],
                 unfinished_only=_bool(data, "unfinished_only", False))
