"""Roles and what each may do.

- ``admin``: everything, including accounts and the audit log.
- ``editor``: without a commune, edits and publishes the province's guides; with a commune,
  edits that commune's local details (team name, phone). Both read guides and propose.
- ``team_member``: reads guides and proposes changes.

Everyone reads the reports of their own units and below (the reports service scopes them).
Admins and editors improve the NLU (the learning loop); only an admin may activate a model
that measured worse (with a reason).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    editor = "editor"
    team_member = "team_member"


class Permission(StrEnum):
    read_guides = "read_guides"
    propose = "propose"
    edit_guides = "edit_guides"  # drafts, publish, rollback, review proposals
    edit_commune = "edit_commune"  # scoped: the commune given to Principal.can
    manage_accounts = "manage_accounts"
    read_audit = "read_audit"
    read_reports = "read_reports"  # scoped by the reports service to the viewer's units
    improve_nlu = "improve_nlu"  # the learning loop: inbox, training phrases, retrain, activate


ROLE_LABELS = {Role.admin: "Quản trị", Role.editor: "Biên tập", Role.team_member: "Thành viên tổ"}


@dataclass(frozen=True)
class Principal:
    """The signed-in person behind a request."""

    account_id: int
    login: str
    role: Role
    commune: str | None
    csrf_token: str
    session_hash: str

    def can(self, permission: Permission, commune: str | None = None) -> bool:
        if self.role is Role.admin:
            return True
        if permission in (Permission.read_guides, Permission.propose, Permission.read_reports):
            return True
        if self.role is not Role.editor:
            return False
        if permission is Permission.improve_nlu:
            return True
        if permission is Permission.edit_guides:
            return self.commune is None
        if permission is Permission.edit_commune:
            return self.commune is not None and (commune is None or commune == self.commune)
        return False

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class Forbidden(Exception):
    """The signed-in person's role does not allow this."""


def require(actor: Principal | None, permission: Permission, commune: str | None = None
            ) -> None:
    """Raise :class:`Forbidden` unless ``actor`` may. ``None`` is the command line, run by
    whoever holds the server: always allowed."""
    if actor is not None and not actor.can(permission, commune):
        raise Forbidden(permission.value)


def cli_actor() -> str:
    """Who a change made from the command line is attributed to: ``cli:`` and the operating
    system's user running it (``cli:uid1000`` when the user has no name)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = f"uid{os.getuid()}"
    return f"cli:{user}"[:64]
