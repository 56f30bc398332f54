"""teams registry (units, codes, members) and hand-off tickets; the console's communes
become units of the registry

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.text import fold

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(length=30), nullable=False),
        sa.Column("parent_id", sa.String(length=30), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("team_name", sa.String(length=100), nullable=True),
        sa.Column("team_phone", sa.String(length=60), nullable=True),
        sa.Column("hours", sa.String(length=11), nullable=True),
        sa.Column("escalate_minutes", sa.Integer(), nullable=True),
        sa.Column("escalate_to", sa.String(length=30), nullable=True),
        sa.Column("telegram_chat", sa.BigInteger(), nullable=True),
        sa.Column("telegram_title", sa.String(length=128), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
    )
    op.create_index("ix_units_parent_id", "units", ["parent_id"])
    op.create_index("ix_units_name_key", "units", ["name_key"])
    op.create_table(
        "team_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("expires_at", Moment, nullable=False),
        sa.Column("used_at", Moment, nullable=True),
        sa.Column("used_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_team_codes")),
    )
    op.create_table(
        "team_members",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=False),
        sa.Column("telegram_user", sa.BigInteger(), nullable=True),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("unit_id", "telegram_user",
                            name="uq_team_members_unit_id_telegram_user"),
    )
    op.create_index("ix_team_members_telegram_user", "team_members", ["telegram_user"])
    op.create_table(
        "tickets",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("resident_id", BigId, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=True),
        sa.Column("team_unit", sa.String(length=30), nullable=True),
        sa.Column("flow_id", sa.String(length=32), nullable=True),
        sa.Column("step_id", sa.String(length=24), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opened_at", Moment, nullable=False),
        sa.Column("posted_at", Moment, nullable=True),
        sa.Column("claimed_at", Moment, nullable=True),
        sa.Column("claimed_by", sa.BigInteger(), nullable=True),
        sa.Column("claimed_name", sa.String(length=64), nullable=True),
        sa.Column("closed_at", Moment, nullable=True),
        sa.Column("close_reason", sa.String(length=16), nullable=True),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("phone_shared_at", Moment, nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("due_at", Moment, nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"],
                                name=op.f("fk_tickets_resident_id_residents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    op.create_index("ix_tickets_status_due_at", "tickets", ["status", "due_at"])
    op.create_index("ix_tickets_resident_id", "tickets", ["resident_id"])
    op.create_index("ix_tickets_team_unit_status", "tickets", ["team_unit", "status"])
    op.create_table(
        "ticket_posts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("unit_id", sa.String(length=30), nullable=False),
        sa.Column("chat", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("posted_at", Moment, nullable=True),
        sa.Column("failed_at", Moment, nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_ticket_posts_ticket_id_tickets"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_posts")),
    )
    op.create_index("ix_ticket_posts_ticket_id", "ticket_posts", ["ticket_id"])
    op.create_table(
        "ticket_messages",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_ticket_messages_ticket_id_tickets"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_messages")),
    )
    op.create_index("ix_ticket_messages_ticket_id", "ticket_messages", ["ticket_id"])
    op.create_table(
        "ticket_parties",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=True),
        sa.Column("phone_consent", sa.Boolean(), nullable=False),
        sa.Column("since", Moment, nullable=False),
        sa.PrimaryKeyConstraint("channel", "party", name=op.f("pk_ticket_parties")),
    )


    _communes_into_units()


def _key(name: str) -> str:
    """The registry's name key (``bot.teams.directory.name_key``) for the common cases."""
    key = fold(name)
    for prefix in ("xa ", "phuong ", "thi tran ", "dac khu "):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    return key


def _communes_into_units() -> None:
    """The console's communes (seeded from flows/communes/ or edited) are units now."""
    communes = sa.table("communes", sa.column("id"), sa.column("commune"),
                        sa.column("team_name"), sa.column("team_phone"), sa.column("source"),
                        sa.column("updated_at"), sa.column("updated_by"))
    units = sa.table("units", *(sa.column(c) for c in (
        "id", "level", "name", "name_key", "team_name", "team_phone", "source", "updated_at",
        "updated_by")))
    bind = op.get_bind()
    rows = [{"id": r.id, "level": "commune", "name": r.commune, "name_key": _key(r.commune),
             "team_name": r.team_name, "team_phone": r.team_phone,
             "source": "seed" if r.source == "file" else "console",
             "updated_at": r.updated_at, "updated_by": r.updated_by}
            for r in bind.execute(sa.select(communes))]
    if rows:
        op.bulk_insert(units, rows)
    op.drop_table("communes")


def _units_into_communes() -> None:
    op.create_table(
        "communes",
        sa.Column("id", sa.String(length=30), nullable=False),
        sa.Column("commune", sa.String(length=80), nullable=False),
        sa.Column("team_name", sa.String(length=80), nullable=False),
        sa.Column("team_phone", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", Moment, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communes")),
    )
    units = sa.table("units", *(sa.column(c) for c in (
        "id", "level", "name", "team_name", "team_phone", "source", "updated_at",
        "updated_by")))
    communes = sa.table("communes", *(sa.column(c) for c in (
        "id", "commune", "team_name", "team_phone", "source", "updated_at", "updated_by")))
    rows = [{"id": r.id, "commune": r.name[:80], "team_name": (r.team_name or r.name)[:80],
             "team_phone": (r.team_phone or "")[:40],
             "source": "file" if r.source == "seed" else "console",
             "updated_at": r.updated_at, "updated_by": r.updated_by}
            for r in op.get_bind().execute(sa.select(units).where(units.c.level == "commune"))]
    if rows:
        op.bulk_insert(communes, rows)


def downgrade() -> None:
    _units_into_communes()
    op.drop_table("ticket_parties")
    op.drop_index("ix_ticket_messages_ticket_id", table_name="ticket_messages")
    op.drop_table("ticket_messages")
    op.drop_index("ix_ticket_posts_ticket_id", table_name="ticket_posts")
    op.drop_table("ticket_posts")
    for index in ("ix_tickets_team_unit_status", "ix_tickets_resident_id",
                  "ix_tickets_status_due_at"):
        op.drop_index(index, table_name="tickets")
    op.drop_table("tickets")
    op.drop_index("ix_team_members_telegram_user", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("team_codes")
    op.drop_index("ix_units_name_key", table_name="units")
    op.drop_index("ix_units_parent_id", table_name="units")
    op.drop_table("units")
