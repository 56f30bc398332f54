"""``python -m bot teams import/export`` as an administrator runs it: a province's size, every
bad row as ``file:line: message`` with nothing imported, re-imports updating by ``unit_id``."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from bot.clock import ManualClock
from bot.commands import main
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from bot.storage.runner import Transactions
from bot.teams.registry import Registry
from tests.conftest import ROOT
from tests.teams.province import province_csv


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def cli(database_url: str, *args: str) -> Done:
    """``python -m bot teams …`` as a process of its own would run it (main(), in a thread
    with its own event loop: the test's loop is busy)."""
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        with mock.patch.dict(os.environ, {"DATABASE_URL": database_url}), \
                redirect_stdout(out), redirect_stderr(err):
            return main(["teams", *args])

    with ThreadPoolExecutor(1) as pool:
        code = pool.submit(run).result(timeout=120)
    return Done(code, out.getvalue(), err.getvalue())


async def registry_on(database_url: str) -> tuple[Registry, Database, Transactions]:
    await upgrade_async(database_url)
    database = Database(database_url)
    transactions = Transactions(database.engine)
    registry = Registry(transactions, ManualClock())
    await registry.load()
    return registry, database, transactions


async def test_a_province_imports_exports_and_reimports_unchanged(
    database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "tinh.csv"
    source.write_text(province_csv(), encoding="utf-8")
    done = await asyncio.to_thread(  # the real command, as a process of its own
        subprocess.run, [sys.executable, "-m", "bot", "teams", "import", str(source)],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url}, capture_output=True,
        text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines() == [
        f"{source}: 3301 units (1 province, 300 communes, 3000 villages): "
        "3301 new, 0 updated, 0 unchanged"]
    exported = cli(database_url, "export", "--output", str(tmp_path / "out.csv"))
    assert exported.returncode == 0, exported.stderr
    again = cli(database_url, "import", str(tmp_path / "out.csv"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 new, 0 updated, 3301 unchanged" in again.stdout

    registry, database, transactions = await registry_on(database_url)
    try:
        assert len(registry.directory.units) == 3301
        assert registry.places("c0002_03")["team_name"] == registry.places("c0002")["team_name"]
        assert registry.directory.route("c0002_03") is None  # no group linked yet
    finally:
        transactions.close()
        await database.dispose()


async def test_bad_rows_are_reported_by_line_and_nothing_is_imported(
    database_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("unit_id,parent_id,level,name,team_phone\n"
                    "tinh,,province,Tỉnh A,0200 000 000\n"
                    "xa_a,tinh,commune,Xã A,0911 111 111\n", encoding="utf-8")
    assert cli(database_url, "import", str(good)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("\ufeffunit_id,parent_id,level,name,team_name,team_phone,hours\n"
                   "xa_b,tinh,commune,Xã B,,,\n"
                   "xa_c,tinh,district,Xã C,,,\n"
                   "Xa D,tinh,commune,Xã D,,,\n"
                   "xa_b,tinh,commune,Xã B lần hai,,,\n"
                   "thon_1,,village,Thôn 1,,,\n"
                   "xa_e,tinh,commune,Xã E,,,7h-21h\n"
                   "xa_f,tinh,commune,,,,\n"
                   "thon_2,thon_1,village,Thôn 2,,\n"
                   "\n"
                   "xa_a,tinh,commune,Xã A,,0922 222 222,\n", encoding="utf-8")
    done = cli(database_url, "import", str(bad))
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines == [
        f"{bad}:3: level 'district' must be one of province, commune, village",
        f"{bad}:4: unit_id 'Xa D' must be 1-30 of a-z, 0-9 and _",
        f"{bad}:5: unit_id xa_b is also on line 2",
        f"{bad}:6: a village needs a parent_id",
        f"{bad}:7: hours '7h-21h' must look like 07:00-21:00",
        f"{bad}:8: name is empty",
        f"{bad}:9: expected 7 fields, got 6",
    ]
    assert "nothing imported" in done.stderr
    exported = cli(database_url, "export").stdout
    assert "xa_b" not in exported and "0911 111 111" in exported  # nothing half imported


async def test_problems_only_the_stored_units_reveal(database_url: str, tmp_path: Path) -> None:
    base = tmp_path / "base.csv"
    base.write_text("unit_id,parent_id,level,name\ntinh,,province,Tỉnh A\n"
                    "xa_a,tinh,commune,Xã A\nthon_1,xa_a,village,Thôn 1\n", encoding="utf-8")
    assert cli(database_url, "import", str(base)).returncode == 0
    later = tmp_path / "later.csv"
    later.write_text("unit_id,parent_id,level,name\n"
                     "thon_2,xa_khac,village,Thôn 2\n"
                     "xa_a,tinh,village,Xã A\n", encoding="utf-8")
    done = cli(database_url, "import", str(later))
    assert done.returncode == 1
    assert done.stdout.strip().splitlines() == [
        f"{later}:2: parent_id xa_khac is neither in the file nor stored",
        f"{later}:3: the parent of a village must be a commune, but tinh is a province",
        f"{later}:3: xa_a cannot become a village: the stored village thon_1 belongs to it",
    ]


@pytest.mark.parametrize(("content", "message"), [
    (b"unit_id,name\nx,X\n", "1: missing column(s): parent_id, level"),
    (b"unit_id,parent_id,level,name,team_phon\n", "1: unknown column(s): team_phon"),
    (b"unit_id,parent_id,level,name\nx,,province,T\xecnh\n", "1: not UTF-8 text"),
    (b"", "1: the file is empty"),
    (b"unit_id,parent_id,level,name\n", "2: no units in the file"),
])
async def test_files_that_are_not_a_registry(
    database_url: str, tmp_path: Path, content: bytes, message: str
) -> None:
    registry, database, transactions = await registry_on(database_url)
    try:
        result = await registry.import_csv("f.csv", content)
        assert result.counts is None
        assert any(p.startswith("f.csv:") and message in p for p in result.problems), \
            result.problems
    finally:
        transactions.close()
        await database.dispose()


async def test_reimport_updates_by_unit_id_and_keeps_columns_left_out(
    database_url: str, tmp_path: Path
) -> None:
    registry, database, transactions = await registry_on(database_url)
    try:
        first = await registry.import_csv("a.csv", (
            "unit_id,parent_id,level,name,team_name,team_phone\n"
            "tinh,,province,Tỉnh A,Tổ tỉnh,0200\n"
            "xa_a,tinh,commune,Xã A,Tổ xã A,0911\n").encode())
        assert first.counts is not None and first.counts.new == 2
        second = await registry.import_csv("b.csv", (
            "unit_id,parent_id,level,name,team_phone\n"
            "xa_a,tinh,commune,Xã A mới,0922\n").encode())
        assert second.counts is not None
        assert (second.counts.new, second.counts.updated) == (0, 1)
        unit = registry.directory.get("xa_a")
        assert unit is not None
        assert (unit.name, unit.team_name, unit.team_phone) == ("Xã A mới", "Tổ xã A", "0922")
        cleared = await registry.import_csv("c.csv", (
            "unit_id,parent_id,level,name,team_name\nxa_a,tinh,commune,Xã A mới,\n").encode())
        assert cleared.counts is not None
        assert registry.places("xa_a")["team_name"] == "Tổ tỉnh"  # inherited once cleared
    finally:
        transactions.close()
        await database.dispose()


async def test_codes_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("unit_id,parent_id,level,name\nxa_a,,commune,Xã A\n", encoding="utf-8")
    assert cli(database_url, "import", str(source)).returncode == 0
    link = cli(database_url, "link-code", "xa_a")
    assert link.returncode == 0 and len(link.stdout.strip()) == 10
    assert "/lienket " + link.stdout.strip() in link.stderr
    join = cli(database_url, "join-code", "xa_a")
    assert "start=join-" + join.stdout.strip() in join.stderr
    unknown = cli(database_url, "link-code", "xa_khong")
    assert unknown.returncode == 1 and "unknown unit: xa_khong" in unknown.stderr
