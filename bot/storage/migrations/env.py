"""Alembic environment: async engine, batch mode for SQLite's limited ALTER TABLE."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage import (  # noqa: F401  (each module registers its tables)
    accounts,
    audit,
    flow_store,
    followups,
    images,
    inbox,
    jobs,
    nlu,
    outbox,
    outreach,
    proposals,
    rate_counters,
    reach,
    residents_data,
    share_codes,
    signins,
    teams,
    tickets,
    zalo,
)
from bot.storage.database import create_engine
from bot.storage.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"),
                      target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
