"""The audit log's hash chain: the table owner can switch the append-only trigger off, but an
altered, removed or backdated row then shows in ``python -m bot audit verify`` and on the
console's audit page."""

from __future__ import annotations

import datetime as dt
import io
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stdout
from unittest import mock

import pytest
from sqlalchemy import insert, text

from bot.accounts import AccountService
from bot.commands import main
from bot.storage.audit import audit_log, row_hash
from bot.storage.database import Database

PASSWORD = "mật khẩu đủ dài 123 cà phê sáng"


def cli_verify(url: str) -> tuple[int, str]:
    out = io.StringIO()

    def run() -> int:
        with mock.patch.dict(os.environ, {"DATABASE_URL": url}), redirect_stdout(out):
            return main(["audit", "verify"])

    with ThreadPoolExecutor(1) as pool:
        code = pool.submit(run).result(timeout=120)
    return code, out.getvalue()


async def _some_history(accounts: AccountService) -> None:
    await accounts.create_user("admin", "admin", password=PASSWORD)
    boss = (await accounts.sign_in("admin", PASSWORD)).principal
    for n in range(3):
        await accounts.create_user(f"member{n}", "team_member", actor=boss)
    await accounts.set_disabled(boss, "member1", True)


async def _untriggered(database: Database, statement: str) -> None:
    """As the table's owner would: switch the trigger off, change, switch it on again."""
    async with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            await conn.execute(text(statement))
            await conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            for verb in ("update", "delete"):
                await conn.execute(text(f"DROP TRIGGER audit_log_no_{verb}"))
            await conn.execute(text(statement))


async def test_an_untouched_chain_verifies(accounts: AccountService, database: Database) -> None:
    await _some_history(accounts)
    found = await accounts.verify_audit(None)
    assert found.intact and found.rows == 6 and found.unchained == 0
    code, out = cli_verify(str(database.engine.url.render_as_string(hide_password=False)))
    assert code == 0 and "audit chain intact: 6 rows" in out


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'someone else' WHERE action = 'account.disabled'",
    "UPDATE audit_log SET details = '{}' WHERE target = 'member0'",
    "DELETE FROM audit_log WHERE target = 'member0'",
])
async def test_a_row_changed_with_the_trigger_off_is_found(
        accounts: AccountService, database: Database, statement: str) -> None:
    """Failed before: nothing could tell a changed row from an honest one."""
    await _some_history(accounts)
    await _untriggered(database, statement)
    found = await accounts.verify_audit(None)
    assert not found.intact and found.broken_at is not None
    code, out = cli_verify(str(database.engine.url.render_as_string(hide_password=False)))
    assert code == 2 and f"BROKEN at row {found.broken_at}" in out


async def test_a_backdated_row_is_found_even_with_a_valid_hash(
        accounts: AccountService, database: Database) -> None:
    await _some_history(accounts)
    head = (await accounts.verify_audit(None)).head
    values = {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC), "actor_id": None,
              "actor": "admin", "action": "account.created", "target": "ghost", "details": {}}
    async with database.engine.begin() as conn:  # written around the application
        await conn.execute(insert(audit_log).values(**values, row_hash=row_hash(head, values)))
    found = await accounts.verify_audit(None)
    assert not found.intact and "dated before" in found.reason
    async with database.engine.begin() as conn:  # and a row without any hash
        await conn.execute(insert(audit_log).values(**{**values, "at": dt.datetime.now(dt.UTC)}))
    assert not (await accounts.verify_audit(None)).intact
