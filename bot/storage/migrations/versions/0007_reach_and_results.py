"""reach and results: guide runs (who started, finished, confirmed; through whose link), the
daily funnel rollup, report opt-outs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "guide_runs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("resident_id", BigId, nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=30), server_default="", nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("started_at", Moment, nullable=False),
        sa.Column("finished_at", Moment, nullable=True),
        sa.Column("finish", sa.String(length=10), nullable=True),
        sa.Column("confirmed_at", Moment, nullable=True),
        sa.Column("steps", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"],
                                name=op.f("fk_guide_runs_resident_id_residents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_runs")),
    )
    op.create_index("ix_guide_runs_resident_id_flow_id", "guide_runs",
                    ["resident_id", "flow_id"])
    covered = ["resident_id", "flow_id", "member_id", "finish", "confirmed_at"]
    op.create_index("ix_guide_runs_started_on_unit_id", "guide_runs", ["started_on", "unit_id"],
                    postgresql_include=covered)
    op.create_index("ix_guide_runs_unit_id_started_on", "guide_runs", ["unit_id", "started_on"],
                    postgresql_include=covered)
    op.create_index("ix_guide_runs_member_id", "guide_runs", ["member_id"])
    op.create_table(
        "reach_steps",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("step_id", sa.String(length=24), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("stuck", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "unit_id", "flow_id", "step_id",
                                name=op.f("pk_reach_steps")),
    )
    op.create_index("ix_reach_steps_unit_id_day", "reach_steps", ["unit_id", "day"])
    op.create_table(
        "report_optouts",
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_report_optouts")),
    )


def downgrade() -> None:
    op.drop_table("report_optouts")
    op.drop_index("ix_reach_steps_unit_id_day", table_name="reach_steps")
    op.drop_table("reach_steps")
    for index in ("ix_guide_runs_member_id", "ix_guide_runs_unit_id_started_on",
                  "ix_guide_runs_started_on_unit_id",
                  "ix_guide_runs_resident_id_flow_id"):
        op.drop_index(index, table_name="guide_runs")
    op.drop_table("guide_runs")
