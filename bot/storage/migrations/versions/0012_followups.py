"""follow-ups: the assistant comes back after a wait the resident agreed to

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("resident_id", BIG, nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("step_id", sa.String(length=24), nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=True),
        sa.Column("ask", sa.Text(), nullable=False),
        sa.Column("after_days", sa.Integer(), nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=True),
        sa.Column("asked_again", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], ondelete="CASCADE",
                                name=op.f("fk_followups_resident_id_residents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followups")),
    )
    op.create_index("ix_followups_status_due_at", "followups", ["status", "due_at"])
    op.create_index("ix_followups_resident_id_status", "followups", ["resident_id", "status"])


def downgrade() -> None:
    op.drop_table("followups")
