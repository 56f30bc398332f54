"""The schema, in SQLAlchemy Core. Alembic migrations in ``migrations/`` create it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
BigId = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


residents = Table(
    "residents", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("state", JSON, nullable=False, default=dict),
    Column("version", Integer, nullable=False, default=0),
    Column("process_id", String(32), nullable=True),
    Column("commune", String(64), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=utcnow),
    UniqueConstraint("channel", "external_id"),
)

events = Table(
    "events", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("resident_id", BigId, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("flow_id", String(32), nullable=True),
    Column("step_id", String(24), nullable=True),
    Column("data", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Index("ix_events_resident_id", "resident_id"),
    Index("ix_events_kind_created_at", "kind", "created_at"),
)

unanswered = Table(
    "unanswered", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("resident_id", BigId, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("reason", String(24), nullable=False),
    Column("intent", String(32), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("reviewed", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

handoffs = Table(
    "handoffs", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("resident_id", BigId, ForeignKey("residents.id", ondelete="CASCADE"), nullable=False),
    Column("flow_id", String(32), nullable=True),
    Column("step_id", String(24), nullable=True),
    Column("status", String(16), nullable=False, default="open"),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

# Inbound messages already handled, so a channel that redelivers (Telegram retries a webhook,
# a client resends) never makes a resident skip a step.
seen_messages = Table(
    "seen_messages", metadata,
    Column("channel", String(16), primary_key=True),
    Column("message_key", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

# Every version of every flow, immutable once written: imported from ``flows/``, saved as a
# draft in the console, or a rollback. ``published`` marks versions that were served at some
# time; which one is served now is ``flow_heads.published_version`` (bot/storage/flow_store.py).
flow_versions = Table(
    "flow_versions", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("flow_id", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("published", Boolean, nullable=False, default=True),
    Column("source", String(16), nullable=False, default="file"),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("author", String(64), nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("base_version", Integer, nullable=True),
    Column("published_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("flow_id", "version"),
)
