"""security, second pass: the audit hash chain, sign-in throttles, usual addresses, team
invitations

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:00:00

``audit_log.row_hash`` is added in place (no table copy, so SQLite keeps the append-only
triggers); rows written before stay unchained and :func:`bot.storage.audit.verify` says so.
``login_failures`` is replaced by ``signin_throttle`` (per login, per address, per pair).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "signin_throttle",
        sa.Column("key", sa.String(length=140), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_signin_throttle")),
    )
    op.create_table(
        "signin_addresses",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_signin_addresses_account_id_accounts")),
        sa.PrimaryKeyConstraint("account_id", "address_hash",
                                name=op.f("pk_signin_addresses")),
    )
    op.create_table(
        "team_invitations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  nullable=False),
        sa.Column("invited_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_team_invitations_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_invitations")),
    )
    op.create_index("ix_team_invitations_account_id", "team_invitations", ["account_id"])
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_login_failures")),
    )
    op.drop_index("ix_team_invitations_account_id", table_name="team_invitations")
    op.drop_table("team_invitations")
    op.drop_table("signin_addresses")
    op.drop_table("signin_throttle")
    op.drop_column("audit_log", "row_hash")
