"""learning loop: console training examples, trained models, training jobs, the served model

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nlu_examples",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(length=300), nullable=False),
        sa.Column("test", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_examples")),
        sa.UniqueConstraint("text_key", name=op.f("uq_nlu_examples_text_key")),
    )
    op.create_table(
        "nlu_models",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("file", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("base_hash", sa.String(length=32), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("train_seconds", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("activated_at", Moment, nullable=True),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_models")),
        sa.UniqueConstraint("file", name=op.f("uq_nlu_models_file")),
    )
    op.create_table(
        "nlu_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("finished_at", Moment, nullable=True),
        sa.Column("old_model_id", BigId, nullable=True),
        sa.Column("new_model_id", BigId, nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_jobs")),
    )
    with op.batch_alter_table("nlu_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_nlu_jobs_created_at", ["created_at"], unique=False)
    op.create_table(
        "nlu_serving",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("url", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_serving")),
    )


def downgrade() -> None:
    op.drop_table("nlu_serving")
    with op.batch_alter_table("nlu_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_nlu_jobs_created_at")
    op.drop_table("nlu_jobs")
    op.drop_table("nlu_models")
    op.drop_table("nlu_examples")
