"""Per-commune details that fill ``{commune}``, ``{team_name}`` and ``{team_phone}``.

Each commune's team is kept in the database (edited in the console), seeded from
``flows/communes/<commune_id>.yml``. A resident belongs
to a commune when they arrive through a team member's link, ``/start <flow_id>-<commune_id>``
(Telegram deep links allow ``[A-Za-z0-9_-]`` and flow ids never contain ``-``). Unknown or
unset communes get the deployment's defaults.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.flowspec.safeyaml import YamlProblem, read_yaml

log = logging.getLogger(__name__)
COMMUNE_ID = re.compile(r"^[a-z0-9_]{1,30}$")
MEMBER_CODE = re.compile(r"^m[0-9a-z]{1,12}$")  # a team member's code in a link


class Commune(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commune: str = Field(min_length=1, max_length=80, description="Tên xã/phường")
    team_name: str = Field(min_length=1, max_length=80)
    team_phone: str = Field(min_length=1, max_length=40)


class CommuneDirectory:
    def __init__(self, communes: dict[str, Commune], defaults: dict[str, str]) -> None:
        self.communes = communes
        self.defaults = defaults

    @classmethod
    def load(cls, folder: Path, defaults: dict[str, str]) -> CommuneDirectory:
        """The communes of ``folder`` without the database (the runtime reads them from the
        database, seeded from the same files)."""
        communes = read_commune_files(folder)
        log.info("commune teams from %s: %s", folder, ", ".join(communes) or "none")
        return cls(communes, defaults)

    def places(self, commune_id: str | None) -> dict[str, str]:
        commune = self.communes.get(commune_id or "")
        return {**self.defaults, **(commune.model_dump() if commune else {})}

    def knows(self, commune_id: str) -> bool:
        return commune_id in self.communes


def read_commune_files(folder: Path) -> dict[str, Commune]:
    """Every valid ``<commune_id>.yml`` in ``folder``; a broken file is logged and skipped."""
    found: dict[str, Commune] = {}
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        if not COMMUNE_ID.match(path.stem):
            log.error("%s: commune file skipped: its name must be [a-z0-9_]", path)
            continue
        try:
            found[path.stem] = Commune.model_validate(
                read_yaml(path.read_text(encoding="utf-8")).data)
        except YamlProblem as exc:
            log.error("%s:%d: commune file skipped: %s", path, exc.line, exc.message)
        except (OSError, UnicodeDecodeError, ValidationError) as exc:
            log.error("%s: commune file skipped: %s", path, exc)
    return found


def split_start(text: str | None) -> tuple[str | None, str | None]:
    """``"/start vneid_install-yen_binh"`` -> ``("/start vneid_install", "yen_binh")``."""
    rest, commune, _ = split_link(text)
    return rest, commune


def split_link(text: str | None) -> tuple[str | None, str | None, str | None]:
    """A team member's link: ``"/start vneid_install-yen_binh-m1f"`` ->
    ``("/start vneid_install", "yen_binh", "m1f")`` (the member's code, see
    ``bot/reports/links.py``); without a member, the third part is None."""
    if not text or not text.startswith("/start "):
        return text, None, None
    argument = text[len("/start "):].strip()
    flow_id, sep, tail = argument.partition("-")
    commune_id, dash, member = tail.partition("-")
    if not sep or not COMMUNE_ID.match(commune_id) or (dash and not MEMBER_CODE.match(member)):
        return text, None, None
    return (f"/start {flow_id}" if flow_id else "/start"), commune_id, member or None
