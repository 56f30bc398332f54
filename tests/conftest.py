"""Shared fixtures: a real runtime (real SQLite or PostgreSQL, real flows, keyword NLU).

Databases come from templates made once per session (per xdist worker): a migrated SQLite file
and a migrated PostgreSQL database, copied for each test, so a test starts from the same schema
as a fresh migration without paying for it. Making the templates runs every migration from an
empty database, on both back ends, at the start of each session.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import Runtime, build_runtime
from bot.config import Settings
from bot.storage.migrate import upgrade
from tests.databases import PostgresDatabases, blocking, copy_sqlite, in_thread

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
# The documented example commune (never shipped to residents): tests that need a known team.
EXAMPLE_COMMUNES = ROOT / "docs" / "examples" / "communes"
# Tests that share one expensive process (a Rasa server) run on one xdist worker.
GROUPS = {"rasa": "rasa"}


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'digiguide.db'}"


def settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": database_url, "flows_dir": FLOWS,
                                 "nlu_mode": "keywords"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker, group in GROUPS.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
def private_tmpdir() -> Iterator[Path]:
    """Every process the tests start (Rasa and its TensorFlow, uvicorn workers, Chromium) gets
    a temp folder of its own, removed at the end: TensorFlow's autograph leaves hundreds of
    ``__autograph_generated_file*.py`` behind otherwise. The test process keeps its own."""
    tempfile.gettempdir()  # fixed before TMPDIR changes: pytest's tmp_path stays where it is
    folder = Path(tempfile.mkdtemp(prefix="digiguide-children-"))
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest revision, once per session."""
    folder = tmp_path_factory.mktemp("template-migrated")
    in_thread(upgrade, sqlite_url(folder))
    return folder / "digiguide.db"


@pytest.fixture(scope="session")
def sqlite_seeded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated file after one start of the bot on ``flows/``: guides and communes imported,
    share codes made (what every start on the same files finds already done)."""
    folder = tmp_path_factory.mktemp("template-seeded")
    copy_sqlite(sqlite_template, folder / "digiguide.db")

    async def start_once() -> None:
        async with build_runtime(settings_for(sqlite_url(folder))):
            pass

    blocking(start_once())
    return folder / "digiguide.db"


@pytest.fixture
async def runtime(tmp_path: Path, sqlite_seeded: Path) -> AsyncIterator[Runtime]:
    """A fully wired runtime on a fresh SQLite file, with the keyword recognizer."""
    copy_sqlite(sqlite_seeded, tmp_path / "digiguide.db")
    async with build_runtime(settings_for(sqlite_url(tmp_path))) as rt:
        yield rt


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """This worker's PostgreSQL database and its migrated template (made once, dropped at the
    end of the session)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    databases = PostgresDatabases(url, os.environ.get("PYTEST_XDIST_WORKER", "main"))
    blocking(databases.make_template())
    try:
        yield databases
    finally:
        blocking(databases.drop())


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases) -> str:
    """This worker's database, freshly copied from the migrated template."""
    blocking(postgres_databases.fresh())
    return postgres_databases.url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database migrated to the newest revision and empty otherwise: SQLite in the
    test's folder, or PostgreSQL copied from its template."""
    if request.param == "sqlite":
        copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "digiguide.db")
        return sqlite_url(tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    return url
