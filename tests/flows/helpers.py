"""Principals for service tests: the flow services only read who is acting."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

from bot.accounts import Principal, Role
from bot.app import Runtime
from tests.conftest import FLOWS

ADMIN = Principal(1, "admin", Role.admin, None, "csrf", "session")
EDITOR = Principal(2, "editor", Role.editor, None, "csrf", "session")
MEMBER = Principal(3, "member", Role.team_member, None, "csrf", "session")
COMMUNE_EDITOR = Principal(4, "yb_editor", Role.editor, "yen_binh", "csrf", "session")


def copy_flows(target: Path) -> Path:
    """A private copy of flows/ that a test may change."""
    shutil.copytree(FLOWS, target, ignore=shutil.ignore_patterns("images"))
    return target


async def working_copy(rt: Runtime, flow_id: str) -> tuple[int, dict[str, Any]]:
    detail = await rt.console.flows.detail(flow_id)
    return detail.head.latest_version, copy.deepcopy(detail.latest.document)


def step(document: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in document["steps"] if s["id"] == step_id)
