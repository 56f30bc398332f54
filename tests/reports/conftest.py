"""A small seeded data set whose every figure is computed by hand in the tests.

Registry: the province Lào Cai; communes Yên Bình (with the village Thôn Đông) and Yên
Thành. Guides: the engine's test guides (``demo_install``: main path prepare → choose_phone →
android_store → open_app → done). Members: Minh and Lan of Yên Bình. Residents walk the guides
through real turns (web channel), so the recorder writes what the reports read:

=====  ============================  ===============================================
r1     Minh's link, Yên Bình         demo_install to the end, 👍; then demo_other,
                                     first step only
r2     Minh's link, Yên Bình         demo_install to android_store, "🆘 Tôi bị kẹt"
r3     team link, Thôn Đông          demo_install to the end, no feedback
r4     team link, Yên Thành          demo_install, first step only
r5     no link (no unit)             demo_install to the end, 👍
=====  ============================  ===============================================

Hand-offs (seeded rows, in Yên Bình): t1 claimed after 10 min and closed by the member, t2
claimed after 20 min, t3 never claimed; in Yên Thành t4 claimed after 60 min. Unanswered
questions: "đổi sim ở đâu" from six residents of Yên Bình, "hỏi riêng" from two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select

from bot.admin.app import console_mount
from bot.app import Runtime, build_runtime
from bot.channels.web.app import create_app
from bot.reports.links import member_code
from bot.storage.tables import residents, unanswered
from bot.storage.teams import MemberRow
from bot.storage.tickets import tickets
from bot.turn_contract import Incoming
from tests.accounts.conftest import CHEAP
from tests.conftest import ROOT, settings_for, sqlite_url

FLOWS = ROOT / "tests" / "engine" / "flows"
PASSWORD = "mật khẩu thử nghiệm 1"
REGISTRY = """unit_id,parent_id,level,name,team_name,team_phone,hours,escalate_after
lao_cai,,province,Tỉnh Lào Cai,Tổ công nghệ số tỉnh Lào Cai,0214 3840 000,,
yen_binh,lao_cai,commune,Xã Yên Bình,Tổ công nghệ số xã Yên Bình,0912 000 111,,
yen_thanh,lao_cai,commune,Xã Yên Thành,Tổ công nghệ số xã Yên Thành,0912 000 222,,
thon_dong,yen_binh,village,Thôn Đông,,,,
"""
MINH, LAN = 700101, 700102
# login -> (role, the editor's commune, the unit whose team the account is a member of)
ACCOUNTS = {"admin": ("admin", None, None), "editor": ("editor", None, None),
            "ybeditor": ("editor", "yen_binh", None),
            "yenbinh": ("team_member", None, "yen_binh"),
            "yenthanh": ("team_member", None, "yen_thanh"),
            "lonely": ("team_member", None, None)}

PUBLIC_URL = "https://troly.yenbinh.vn"  # what residents open: links need one


@dataclass
class Seeded:
    runtime: Runtime
    app: Any  # the web app with the console, called in process (no socket under test here)
    minh: MemberRow
    lan: MemberRow

    def http(self) -> httpx.AsyncClient:
        """A new anonymous client (an app's exception is a 500, as from a server)."""
        return httpx.AsyncClient(
            base_url="http://127.0.0.1", timeout=30,
            transport=httpx.ASGITransport(self.app, raise_app_exceptions=False))

    @asynccontextmanager
    async def client(self, login: str) -> AsyncIterator[httpx.AsyncClient]:
        async with self.http() as client:
            response = await client.post("/admin/api/login",
                                         json={"login": login, "password": PASSWORD})
            assert response.status_code == 200, response.text
            yield client


async def turn(runtime: Runtime, user: str, *, text: str | None = None,
               payload: str | None = None) -> None:
    await runtime.service.handle(Incoming("web", user, text=text, payload=payload))


async def walk(runtime: Runtime, user: str, start: str, presses: list[str]) -> None:
    await turn(runtime, user, text=f"/start {start}")
    for payload in presses:
        await turn(runtime, user, payload=payload)


TO_END = ["n:demo_install.prepare", "s:demo_install.choose_phone.0",
          "n:demo_install.android_store", "s:demo_install.open_app.0"]
USEFUL = "fb:demo_install:useful"


async def seed(runtime: Runtime) -> tuple[MemberRow, MemberRow]:
    imported = await runtime.registry.import_csv("registry.csv", REGISTRY.encode())
    assert imported.counts is not None, imported.problems
    code = await runtime.registry.new_code("join", "yen_binh")
    minh = await runtime.registry.join(code, MINH, "Minh")
    code = await runtime.registry.new_code("join", "yen_binh")
    lan = await runtime.registry.join(code, LAN, "Lan")
    assert minh is not None and lan is not None
    via_minh = f"demo_install-yen_binh-{member_code(minh[0].id)}"
    await walk(runtime, "r1", via_minh, [*TO_END, USEFUL])
    await walk(runtime, "r1", "demo_other", [])
    await walk(runtime, "r2", via_minh, [*TO_END[:2], "c:stuck"])
    await walk(runtime, "r3", "demo_install-thon_dong", TO_END)
    await walk(runtime, "r4", "demo_install-yen_thanh", [])
    await walk(runtime, "r5", "demo_install", [*TO_END, USEFUL])
    await _seed_rows(runtime)
    return minh[0], lan[0]


async def _seed_rows(runtime: Runtime) -> None:
    now = runtime.clock.now()
    async with runtime.database.engine.begin() as conn:
        ids = {}
        for number in range(1, 9):
            ids[number] = (await conn.execute(insert(residents).values(
                channel="seed", external_id=f"q{number}", state={}, version=0,
                commune="yen_binh", active=True, created_at=now, updated_at=now
            ).returning(residents.c.id))).scalar_one()
        rows: list[dict[str, Any]] = [
            {"resident_id": ids[n], "text": "đổi sim ở đâu", "reason": "fallback"}
            for n in range(1, 7)]
        rows += [{"resident_id": ids[n], "text": "hỏi riêng", "reason": "fallback"}
                 for n in (7, 8)]
        await conn.execute(insert(unanswered), [{**r, "reviewed": False, "created_at": now}
                                                for r in rows])
        resident = ids[1]
        base = now - dt.timedelta(hours=3)
        for unit, claim_minutes, reason in (("yen_binh", 10, "member"), ("yen_binh", 20, None),
                                            ("yen_binh", None, None), ("yen_thanh", 60, None)):
            claimed = base + dt.timedelta(minutes=claim_minutes) if claim_minutes else None
            await conn.execute(insert(tickets).values(
                resident_id=resident, channel="seed", recipient="q1", unit_id=unit,
                team_unit=unit, context={}, status="closed" if reason else "open",
                opened_at=base, claimed_at=claimed, close_reason=reason,
                closed_at=now if reason else None, escalations=0))
        left = (await conn.execute(select(tickets.c.id))).all()
        assert len(left) >= 4


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Seeded]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
    config = settings_for(url, flows_dir=FLOWS, communes_dir=Path("/nonexistent"),
                          public_url=PUBLIC_URL)
    async with build_runtime(config) as runtime:
        runtime.console.accounts.passwords = CHEAP
        minh, lan = await seed(runtime)
        for login, (role, commune, unit) in ACCOUNTS.items():
            account = await runtime.console.accounts.create_user(
                login, role, commune=commune, password=PASSWORD)
            if unit is not None:
                await runtime.team_inbox.add_console_member(unit, account.id, login)
        app = create_app(runtime.service, runtime.health,
                         extra_routes=[console_mount(runtime.console, runtime.served)])
        yield Seeded(runtime, app, minh, lan)
