"""durable outbox and inbox; Zalo tokens, quotas, attachments; share codes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def _queue(name: str, *extra: sa.Column[Any], constraints: Sequence[sa.Constraint] = ()) -> None:
    op.create_table(
        name,
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", Moment, nullable=True),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", Moment, nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("finished_at", Moment, nullable=True),
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        *constraints,
    )
    op.create_index(f"ix_{name}_channel_status", name, ["channel", "status"])
    op.create_index(f"ix_{name}_channel_party_id", name, ["channel", "party", "id"])


def upgrade() -> None:
    _queue("outbox",
           sa.Column("progress", sa.Integer(), nullable=False),
           sa.Column("expires_at", Moment, nullable=True))
    _queue("inbox",
           sa.Column("event_key", sa.String(length=96), nullable=False),
           constraints=[sa.UniqueConstraint("channel", "event_key",
                                            name=op.f("uq_inbox_channel"))])
    op.create_table(
        "zalo_tokens",
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("access_expires_at", Moment, nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_zalo_tokens")),
    )
    op.create_table(
        "zalo_recipients",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("last_inbound_at", Moment, nullable=True),
        sa.Column("replies_used", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_zalo_recipients")),
    )
    op.create_table(
        "zalo_attachments",
        sa.Column("image", sa.String(length=300), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("attachment_id", sa.String(length=300), nullable=False),
        sa.Column("uploaded_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("image", name=op.f("pk_zalo_attachments")),
    )
    op.create_table(
        "share_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_share_codes")),
        sa.UniqueConstraint("target", name=op.f("uq_share_codes_target")),
    )


def downgrade() -> None:
    for table in ("share_codes", "zalo_attachments", "zalo_recipients", "zalo_tokens"):
        op.drop_table(table)
    for table in ("inbox", "outbox"):
        op.drop_index(f"ix_{table}_channel_party_id", table_name=table)
        op.drop_index(f"ix_{table}_channel_status", table_name=table)
        op.drop_table(table)
