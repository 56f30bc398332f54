"""Shared fixtures: a real runtime (real SQLite or PostgreSQL, real flows, keyword NLU)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import Runtime, build_runtime
from bot.config import Settings
from bot.storage.database import create_engine

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'digiguide.db'}"


def settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": database_url, "flows_dir": FLOWS,
                                 "nlu_mode": "keywords"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    """A fully wired runtime on a fresh SQLite file, with the keyword recognizer."""
    async with build_runtime(settings_for(sqlite_url(tmp_path))) as rt:
        yield rt


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    return url


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: SQLite in the test's folder, or PostgreSQL wiped."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    url = request.getfixturevalue("postgres_url")
    await reset_postgres(url)
    yield url
