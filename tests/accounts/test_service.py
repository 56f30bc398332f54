"""Sign-in, lockout, sessions ended by disabling, one-time links, the append-only audit log."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.accounts import (
    AccountError,
    AccountService,
    Forbidden,
    Locked,
    Permission,
    Role,
    SignInFailed,
)
from bot.accounts.roles import cli_actor
from bot.clock import ManualClock
from bot.storage.database import Database

PASSWORD = "mật khẩu đủ dài 123 cà phê sáng"


async def test_sign_in_opens_a_session_with_a_csrf_token(accounts: AccountService) -> None:
    await accounts.create_user("Admin", "admin", password=PASSWORD)
    signed = await accounts.sign_in(" ADMIN ", PASSWORD)
    principal = await accounts.principal(signed.token)
    assert principal is not None and principal.login == "admin"
    assert principal.role is Role.admin and len(principal.csrf_token) >= 32
    assert await accounts.principal("not a token") is None
    await accounts.sign_out(principal)
    assert await accounts.principal(signed.token) is None


async def test_passwords_are_argon2id_and_never_stored_in_clear(
        accounts: AccountService, database: Database) -> None:
    await accounts.create_user("admin", "admin", password=PASSWORD)
    async with database.engine.connect() as conn:
        stored = (await conn.execute(text("SELECT password_hash FROM accounts"))).scalar_one()
        audit = (await conn.execute(text("SELECT details FROM audit_log"))).all()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PASSWORD not in str(audit)


async def test_failures_from_one_address_wait_longer_and_longer(
        accounts: AccountService, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    await accounts.create_user("editor1", "editor", password=PASSWORD)
    caplog.set_level(logging.WARNING)
    for _ in range(4):  # free
        with pytest.raises(SignInFailed):
            await accounts.sign_in("editor1", "wrong password!", "10.0.0.5")
    waits = []
    for _ in range(4):
        with pytest.raises(SignInFailed):
            await accounts.sign_in("editor1", "wrong password!", "10.0.0.5")
        with pytest.raises(Locked) as locked:
            await accounts.sign_in("editor1", PASSWORD, "10.0.0.5")  # even the right one
        waits.append(locked.value.until - clock.now())
        clock.advance(waits[-1] + dt.timedelta(seconds=1))
    assert waits == [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert "throttled" in caplog.text and "wrong password" not in caplog.text
    assert PASSWORD not in caplog.text
    assert (await accounts.sign_in("editor1", PASSWORD, "10.0.0.5")).principal.login == \
        "editor1"


async def test_someone_elses_guesses_do_not_lock_the_owner_out(
        accounts: AccountService, clock: ManualClock) -> None:
    """Failed before: five wrong passwords from anywhere locked the login for everyone."""
    await accounts.create_user("admin", "admin", password=PASSWORD)
    await accounts.sign_in("admin", PASSWORD, "192.0.2.10")  # the owner's office, yesterday
    clock.advance(dt.timedelta(days=1))
    for n in range(40):  # guessers on many addresses, waiting out every throttle
        guesser = f"203.0.113.{n % 8}"
        with contextlib.suppress(SignInFailed, Locked):
            await accounts.sign_in("admin", f"guess {n}", guesser)
        clock.advance(dt.timedelta(seconds=20))
    with pytest.raises(Locked):  # the login is throttled for strangers
        await accounts.sign_in("admin", PASSWORD, "198.51.100.7")
    signed = await accounts.sign_in("admin", PASSWORD, "192.0.2.10")  # the owner is not
    assert signed.principal.login == "admin"
    assert signed.failed_since >= 10 and signed.failed_addresses == 8
    again = await accounts.sign_in("admin", PASSWORD, "192.0.2.10")
    assert again.failed_since == 0  # told once


async def test_sign_ins_sign_outs_and_failures_are_audited(accounts: AccountService) -> None:
    await accounts.create_user("admin", "admin", password=PASSWORD)
    with pytest.raises(SignInFailed):
        await accounts.sign_in("admin", "wrong password!", "10.0.0.1")
    with pytest.raises(SignInFailed):
        await accounts.sign_in("Mk 123456789", "x", "10.0.0.1")  # a secret in the login field
    signed = await accounts.sign_in("admin", PASSWORD, "10.0.0.2")
    await accounts.sign_out(signed.principal)
    entries = await accounts.audit_entries(signed.principal, limit=10)
    seen = [(e.action, e.target, e.details.get("address")) for _, e in entries]
    assert seen[:4] == [("signout", "admin", None), ("signin.ok", "admin", "10.0.0.2"),
                        ("signin.failed", "mk [mật khẩu]", "10.0.0.1"),
                        ("signin.failed", "admin", "10.0.0.1")]


async def test_failures_spread_over_time_do_not_lock(accounts: AccountService,
                                                     clock: ManualClock) -> None:
    await accounts.create_user("editor1", "editor", password=PASSWORD)
    for _ in range(8):
        with pytest.raises(SignInFailed):
            await accounts.sign_in("editor1", "wrong password!")
        clock.advance(dt.timedelta(minutes=20))
    assert (await accounts.sign_in("editor1", PASSWORD)).principal.login == "editor1"


async def test_unknown_logins_fail_the_same_way_and_lock_too(accounts: AccountService) -> None:
    for _ in range(5):  # four free, the fifth starts the wait
        with pytest.raises(SignInFailed):
            await accounts.sign_in("nobody", PASSWORD)
    with pytest.raises(Locked):
        await accounts.sign_in("nobody", PASSWORD)


async def test_disabling_ends_sessions_at_once(accounts: AccountService) -> None:
    admin = await accounts.create_user("admin", "admin", password=PASSWORD)
    await accounts.create_user("member1", "team_member", password=PASSWORD)
    boss = (await accounts.sign_in(admin.login, PASSWORD)).principal
    member = await accounts.sign_in("member1", PASSWORD)
    assert await accounts.principal(member.token) is not None
    await accounts.set_disabled(boss, "member1", True)
    assert await accounts.principal(member.token) is None
    with pytest.raises(SignInFailed):
        await accounts.sign_in("member1", PASSWORD)
    await accounts.set_disabled(boss, "member1", False)
    assert await accounts.sign_in("member1", PASSWORD)


async def test_a_disabled_account_whose_session_survived_is_refused(
        accounts: AccountService, database: Database) -> None:
    await accounts.create_user("member1", "team_member", password=PASSWORD)
    member = await accounts.sign_in("member1", PASSWORD)
    async with database.engine.begin() as conn:  # as if a session row escaped the delete
        await conn.execute(text("UPDATE accounts SET disabled = true"))
    assert await accounts.principal(member.token) is None


async def test_sessions_expire(accounts: AccountService, clock: ManualClock) -> None:
    await accounts.create_user("member1", "team_member", password=PASSWORD)
    member = await accounts.sign_in("member1", PASSWORD)
    clock.advance(dt.timedelta(hours=13))
    assert await accounts.principal(member.token) is None


async def test_one_time_link_sets_a_password_once(accounts: AccountService,
                                                  clock: ManualClock) -> None:
    await accounts.create_user("editor1", "editor")
    with pytest.raises(SignInFailed):
        await accounts.sign_in("editor1", "")
    token = await accounts.create_signin_link("editor1")
    with pytest.raises(AccountError):
        await accounts.redeem_link(token, "short")
    signed = await accounts.redeem_link(token, PASSWORD)
    assert signed.principal.login == "editor1"
    with pytest.raises(AccountError):
        await accounts.redeem_link(token, PASSWORD + "x")
    assert await accounts.sign_in("editor1", PASSWORD)
    late = await accounts.create_signin_link("editor1")
    clock.advance(dt.timedelta(hours=24, seconds=1))
    with pytest.raises(AccountError):
        await accounts.redeem_link(late, PASSWORD)


async def test_only_admins_manage_accounts(accounts: AccountService) -> None:
    await accounts.create_user("editor1", "editor", password=PASSWORD)
    editor = (await accounts.sign_in("editor1", PASSWORD)).principal
    with pytest.raises(Forbidden):
        await accounts.create_user("x_user", "admin", actor=editor)
    with pytest.raises(Forbidden):
        await accounts.audit_entries(editor)


@pytest.mark.parametrize(("role", "commune", "allowed"), [
    ("admin", None, {"read_guides", "propose", "edit_guides", "edit_commune", "manage_accounts",
                     "read_audit", "read_reports", "improve_nlu"}),
    ("editor", None, {"read_guides", "propose", "edit_guides", "read_reports", "improve_nlu"}),
    ("editor", "yen_binh", {"read_guides", "propose", "edit_commune", "read_reports",
                            "improve_nlu"}),
    ("team_member", None, {"read_guides", "propose", "read_reports"}),
])
async def test_roles(accounts: AccountService, role: str, commune: str | None,
                     allowed: set[str]) -> None:
    await accounts.create_user("someone", role, commune=commune, password=PASSWORD)
    principal = (await accounts.sign_in("someone", PASSWORD)).principal
    assert {p.value for p in Permission if principal.can(p)} == allowed
    assert principal.can(Permission.edit_commune, "other") == (role == "admin")


async def test_bad_requests_are_explained(accounts: AccountService) -> None:
    for login, role, commune in [("a", "admin", None), ("good_login", "boss", None),
                                 ("good_login", "team_member", "yen_binh"),
                                 ("good_login", "editor", "Bad Commune")]:
        with pytest.raises(AccountError):
            await accounts.create_user(login, role, commune=commune)
    await accounts.create_user("good_login", "admin")
    with pytest.raises(AccountError, match="đã có"):
        await accounts.create_user("good_login", "admin")


@pytest.mark.parametrize(("commune", "reason"), [
    ("xa_khong_co", "Không có xã nào mã xa_khong_co"),
    ("thon_dong", "thon_dong là một thôn, không phải xã"),
    ("lao_cai", "lao_cai là một tỉnh, không phải xã"),
])
async def test_an_editor_only_for_a_commune_that_exists(
        accounts: AccountService, commune: str, reason: str) -> None:
    """Failed before: any well-formed code was accepted, a village's too."""
    with pytest.raises(AccountError, match=reason):
        await accounts.create_user("editor2", "editor", commune=commune)
    await accounts.create_user("editor2", "editor", commune="yen_binh")
    with pytest.raises(AccountError, match=reason):
        await accounts.set_role(None, "editor2", "editor", commune)


async def test_audit_log_records_account_changes_and_is_append_only(
        accounts: AccountService, database: Database) -> None:
    admin = await accounts.create_user("admin", "admin", password=PASSWORD)
    boss = (await accounts.sign_in(admin.login, PASSWORD)).principal
    await accounts.create_user("member1", "team_member", actor=boss)
    await accounts.set_role(boss, "member1", "editor", "yen_binh")
    await accounts.set_disabled(boss, "member1", True)
    entries = [entry for _, entry in await accounts.audit_entries(boss)]
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("admin", "account.disabled", "member1"),
        ("admin", "account.role_changed", "member1"),
        ("admin", "account.created", "member1"),
        ("admin", "signin.ok", "admin"),
        (cli_actor(), "account.created", "admin"),
    ]
    assert cli_actor().startswith("cli:") and cli_actor() != "cli:"  # the OS user
    assert entries[1].details == {"from": "team_member", "to": "editor", "commune": "yen_binh"}
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.engine.begin() as conn:
                await conn.execute(text(statement))
