"""announcements: residents' consent, the announcements, one delivery row per resident

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outreach_subscriptions",
        sa.Column("resident_id", BIG, nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("opted_in_at", WHEN, nullable=True),
        sa.Column("opted_out_at", WHEN, nullable=True),
        sa.Column("out_reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], ondelete="CASCADE",
                                name=op.f("fk_outreach_subscriptions_resident_id_residents")),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_outreach_subscriptions")),
    )
    op.create_table(
        "announcements",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=False),
        sa.Column("include_subunits", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=True),
        sa.Column("audience_flow", sa.String(length=32), nullable=True),
        sa.Column("unfinished_only", sa.Boolean(), nullable=False),
        sa.Column("send_at", WHEN, nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("confirmed_at", WHEN, nullable=True),
        sa.Column("release_at", WHEN, nullable=True),
        sa.Column("cursor", BIG, nullable=False),
        sa.Column("targeted", sa.Integer(), nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_index("ix_announcements_state_release_at", "announcements",
                    ["state", "release_at"])
    op.create_index("ix_announcements_unit_id_confirmed_at", "announcements",
                    ["unit_id", "confirmed_at"])
    op.create_table(
        "outreach_deliveries",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", BIG, nullable=False),
        sa.Column("resident_id", BIG, nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.Column("outbox_id", BIG, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_deliveries")),
        sa.UniqueConstraint("kind", "source_id", "resident_id",
                            name=op.f("uq_outreach_deliveries_kind_source_id_resident_id")),
    )
    op.create_index("ix_outreach_deliveries_resident_id_created_at", "outreach_deliveries",
                    ["resident_id", "created_at"])
    op.create_index("ix_outreach_deliveries_kind_source_id_status", "outreach_deliveries",
                    ["kind", "source_id", "status"])


def downgrade() -> None:
    op.drop_table("outreach_deliveries")
    op.drop_table("announcements")
    op.drop_table("outreach_subscriptions")
