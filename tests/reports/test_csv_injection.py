"""Every CSV the project writes is safe to open in Excel: a cell a spreadsheet would run as a
formula (``= + - @``, a tab or a carriage return first) comes out defused, through one writer.

Fed through the real paths: residents' questions (the unanswered table), a unit's name (the
registry export and the report's units table) and a member's name (the members table)."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import insert, select

from bot.privacy.spreadsheet import csv_text, undefused
from bot.reports.export import TABLES
from bot.storage.tables import residents, unanswered
from bot.teams import csvfile
from tests.reports.conftest import Seeded

QUESTION = "+SUM(A1:A9) giá lợn hơi hôm nay bao nhiêu"
UNIT = '=HYPERLINK("http://evil.example","Xã Mở")'
FORMULAS = [QUESTION, "=1+1 có đúng không", "-2+3 là mấy", "@SUM(1)", "\t=cmd|' /C calc'!A0",
            "\r=1+1", "|calc", "%0A=1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def assert_defused(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            numeric = value.lstrip("-").replace(".", "").replace(",", "").isdigit()
            assert numeric or not value.startswith(DANGEROUS), (value, row)


def test_the_writer_defuses_every_trigger_and_reads_back_unchanged() -> None:
    text = csv_text(["a", "b"], [[v, -3] for v in FORMULAS], bom=True)
    assert text.startswith("\ufeff")
    rows = cells(text)
    assert_defused(rows)
    assert [undefused(r[0]) for r in rows[1:]] == FORMULAS
    assert [r[1] for r in rows[1:]] == ["-3"] * len(FORMULAS)  # a negative number stays one


async def _feed(s: Seeded) -> None:
    runtime = s.runtime
    now = runtime.clock.now()
    async with runtime.database.engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for n, text in enumerate(FORMULAS):
            for who in range(6):  # six residents each: shown even outside the team
                rid = (await conn.execute(insert(residents).values(
                    channel="seed", external_id=f"f{n}-{who}", state={}, version=0,
                    commune="yen_binh", active=True, created_at=now, updated_at=now
                ).returning(residents.c.id))).scalar_one()
                rows.append({"resident_id": rid, "text": text, "reason": "fallback",
                             "reviewed": False, "created_at": now})
        await conn.execute(insert(unanswered), rows)
        stored = (await conn.execute(select(unanswered.c.text))).scalars().all()
    assert QUESTION in stored
    quoted = UNIT.replace('"', '""')
    imported = await runtime.registry.import_csv("u.csv", (
        f'unit_id,parent_id,level,name\nthon_dong,yen_binh,village,"{quoted}"\n').encode())
    assert imported.counts is not None, imported.problems
    code = await runtime.registry.new_code("join", "yen_binh")
    assert await runtime.registry.join(code, 700199, "=HYPERLINK(\"x\")") is not None


async def test_every_export_defuses_formulas(seeded: Seeded) -> None:
    await _feed(seeded)
    exported: dict[str, list[list[str]]] = {}
    async with seeded.client("admin") as client:
        for unit in ("yen_binh", "lao_cai"):
            for name in TABLES:
                response = await client.get(f"/admin/reports/{name}.csv?unit={unit}")
                assert response.status_code == 200, response.text
                assert response.text.startswith("\ufeff")  # Excel reads it as UTF-8
                exported[f"{unit}/{name}"] = cells(response.text)
        units = await client.get("/admin/units.csv")
        assert units.status_code == 200
        exported["units.csv"] = cells(units.text)
    exported["teams export"] = cells(await seeded.runtime.registry.export_csv())
    for rows in exported.values():
        assert_defused(rows)
    questions = [undefused(r[0]) for r in exported["yen_binh/unanswered"][1:]]
    assert QUESTION in questions and "\t=cmd|' /C calc'!A0" in questions
    names = [undefused(r[0]) for r in exported["yen_binh/units"][1:]]
    assert UNIT in names
    assert any(undefused(r[3]) == UNIT for r in exported["units.csv"])


async def test_the_registry_export_imports_back_unchanged(seeded: Seeded) -> None:
    await _feed(seeded)
    registry = seeded.runtime.registry
    before = await registry.export_csv()
    again = await registry.import_csv("again.csv", before.encode())
    assert again.counts is not None, again.problems
    assert await registry.export_csv() == before
    assert registry.directory.get("thon_dong").name == UNIT  # type: ignore[union-attr]
    parsed = csvfile.parse("x.csv", before.encode())
    assert not parsed.problems
