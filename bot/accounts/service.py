"""Sign-in, sessions, accounts and the audit trail of account changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from bot.accounts.passwords import Passwords, password_problem
from bot.accounts.roles import Permission, Principal, Role, require
from bot.clock import Clock, SystemClock
from bot.storage.accounts import AccountRow, AccountStore, LoginTaken
from bot.storage.audit import AuditEntry, AuditStore

log = logging.getLogger(__name__)

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
COMMUNE_RE = re.compile(r"^[a-z0-9_]{1,30}$")
FAILURE_LIMIT = 5
LOCK_FOR = dt.timedelta(minutes=15)
SESSION_TTL = dt.timedelta(hours=12)
LINK_TTL = dt.timedelta(hours=24)


class SignInFailed(Exception):
    """Wrong login or password, or a disabled account (one answer for all three)."""


class Locked(Exception):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is Vietnamese, for people."""


@dataclass(frozen=True)
class SignedIn:
    token: str  # the cookie value; only its hash is stored
    principal: Principal


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_login(login: str) -> str:
    return login.strip().lower()


def _actor(principal: Principal | None) -> tuple[int | None, str]:
    return (principal.account_id, principal.login) if principal else (None, "cli")


class AccountService:
    def __init__(self, store: AccountStore, audit: AuditStore, *, clock: Clock | None = None,
                 passwords: Passwords | None = None) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock or SystemClock()
        self.passwords = passwords or Passwords()

    # ------------------------------------------------------------- accounts
    async def by_login(self, login: str) -> AccountRow | None:
        return await self.store.by_login(login)

    async def create_user(self, login: str, role: str, *, commune: str | None = None,
                          password: str | None = None, actor: Principal | None = None
                          ) -> AccountRow:
        """Create an account; without a password it can only sign in through a link."""
        require(actor, Permission.manage_accounts)
        login = normalize_login(login)
        if not LOGIN_RE.match(login):
            raise AccountError("Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, . _ @ -")
        try:
            chosen = Role(role)
        except ValueError:
            raise AccountError(f"Vai trò không hợp lệ: {role}") from None
        if commune is not None and not COMMUNE_RE.match(commune):
            raise AccountError("Mã xã gồm chữ thường không dấu, số và _ (ví dụ: yen_binh).")
        if commune is not None and chosen is not Role.editor:
            raise AccountError("Chỉ tài khoản biên tập mới gắn với một xã.")
        hashed = None
        if password is not None:
            problem = password_problem(password)
            if problem:
                raise AccountError(problem)
            hashed = await self.passwords.hash(password)
        actor_id, actor_login = _actor(actor)
        entry = AuditEntry(actor_id, actor_login, "account.created", login,
                           {"role": chosen.value, "commune": commune})
        try:
            await self.store.create(login=login, role=chosen.value, commune=commune,
                                    password_hash=hashed, now=self.clock.now(), entry=entry)
        except LoginTaken:
            raise AccountError(f"Tên đăng nhập {login} đã có.") from None
        created = await self.store.by_login(login)
        assert created is not None
        return created

    async def accounts(self, actor: Principal) -> list[AccountRow]:
        require(actor, Permission.manage_accounts)
        return await self.store.all()

    async def set_disabled(self, actor: Principal | None, login: str, disabled: bool) -> None:
        """Disabling ends the account's sessions at once (they are rows, deleted here)."""
        require(actor, Permission.manage_accounts)
        account = await self._existing(login)
        if actor is not None and account.id == actor.account_id and disabled:
            raise AccountError("Không thể tự khóa tài khoản của mình.")
        actor_id, actor_login = _actor(actor)
        action = "account.disabled" if disabled else "account.enabled"
        await self.store.update(account.id, {"disabled": disabled}, self.clock.now(),
                                AuditEntry(actor_id, actor_login, action, account.login),
                                end_sessions=disabled)

    async def set_role(self, actor: Principal | None, login: str, role: str,
                       commune: str | None) -> None:
        require(actor, Permission.manage_accounts)
        account = await self._existing(login)
        try:
            chosen = Role(role)
        except ValueError:
            raise AccountError(f"Vai trò không hợp lệ: {role}") from None
        if commune is not None and (chosen is not Role.editor or not COMMUNE_RE.match(commune)):
            raise AccountError("Chỉ tài khoản biên tập mới gắn với một xã (mã xã hợp lệ).")
        actor_id, actor_login = _actor(actor)
        await self.store.update(
            account.id, {"role": chosen.value, "commune": commune}, self.clock.now(),
            AuditEntry(actor_id, actor_login, "account.role_changed", account.login,
                       {"from": account.role, "to": chosen.value, "commune": commune}),
            end_sessions=True)

    async def create_signin_link(self, login: str, actor: Principal | None = None) -> str:
        """A one-time token, valid for 24 hours, that lets the account choose a password."""
        require(actor, Permission.manage_accounts)
        account = await self._existing(login)
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        actor_id, actor_login = _actor(actor)
        await self.store.add_link(token_hash=token_hash(token), account_id=account.id, now=now,
                                  expires_at=now + LINK_TTL,
                                  entry=AuditEntry(actor_id, actor_login,
                                                   "account.link_created", account.login))
        return token

    async def link_account(self, token: str) -> AccountRow | None:
        return await self.store.link_account(token_hash(token), self.clock.now())

    async def redeem_link(self, token: str, password: str) -> SignedIn:
        """Set the password chosen through a link and sign in. The link works once."""
        problem = password_problem(password)
        if problem:
            raise AccountError(problem)
        account = await self.link_account(token)
        if account is None or account.disabled:
            raise AccountError("Liên kết đã hết hạn hoặc đã được dùng.")
        hashed = await self.passwords.hash(password)
        entry = AuditEntry(account.id, account.login, "account.password_set", account.login)
        if not await self.store.use_link(token_hash(token), hashed, self.clock.now(), entry):
            raise AccountError("Liên kết đã hết hạn hoặc đã được dùng.")
        return await self._open_session(account)

    async def _existing(self, login: str) -> AccountRow:
        account = await self.store.by_login(normalize_login(login))
        if account is None:
            raise AccountError(f"Không có tài khoản {login}.")
        return account

    # ------------------------------------------------------------- sign-in and sessions
    async def sign_in(self, login: str, password: str) -> SignedIn:
        """Raises :class:`Locked` while the login is locked (the password is not even
        checked) and :class:`SignInFailed` otherwise; the 5th failure in 15 minutes locks it."""
        login = normalize_login(login)[:64]
        now = self.clock.now()
        failures = await self.store.failures(login)
        if failures.locked_until is not None and failures.locked_until > now:
            log.warning("sign-in refused: login %r is locked", login)
            raise Locked(failures.locked_until)
        account = await self.store.by_login(login)
        good = await self.passwords.verify(account.password_hash if account else None, password)
        if account is None or not good or account.disabled:
            failed = await self.store.record_failure(login, now, window=LOCK_FOR,
                                                     limit=FAILURE_LIMIT, lock_for=LOCK_FOR)
            log.warning("sign-in failed for login %r (%d of %d)", login, failed.failures,
                        FAILURE_LIMIT)
            if failed.locked_until is not None:
                log.warning("login %r locked for %d minutes", login, LOCK_FOR.seconds // 60)
                await self.audit.append(AuditEntry(None, "system", "account.locked", login,
                                                   {"minutes": LOCK_FOR.seconds // 60}), now)
            raise SignInFailed
        await self.store.clear_failures(login)
        return await self._open_session(account)

    async def _open_session(self, account: AccountRow) -> SignedIn:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock.now()
        hashed = token_hash(token)
        await self.store.add_session(token_hash=hashed, account_id=account.id, csrf_token=csrf,
                                     now=now, expires_at=now + SESSION_TTL)
        return SignedIn(token, Principal(account.id, account.login, Role(account.role),
                                         account.commune, csrf, hashed))

    async def principal(self, token: str | None) -> Principal | None:
        """Who holds this session cookie: None when unknown, expired or disabled."""
        if not token or len(token) > 200:
            return None
        hashed = token_hash(token)
        row = await self.store.session(hashed)
        now = self.clock.now()
        if row is None or row.account.disabled or row.expires_at <= now:
            return None
        if row.expires_at - now < SESSION_TTL / 2:  # sliding, written at most twice a TTL
            await self.store.extend_session(hashed, now + SESSION_TTL)
        account = row.account
        return Principal(account.id, account.login, Role(account.role), account.commune,
                         row.csrf_token, hashed)

    async def sign_out(self, principal: Principal) -> None:
        await self.store.delete_session(principal.session_hash)

    async def session_data(self, principal: Principal) -> dict[str, Any]:
        """Small per-session scratch space (the console's preview conversations)."""
        row = await self.store.session(principal.session_hash)
        return dict(row.data) if row else {}

    async def set_session_data(self, principal: Principal, data: dict[str, Any]) -> None:
        await self.store.set_session_data(principal.session_hash, data)

    # ------------------------------------------------------------- audit
    async def audit_entries(self, actor: Principal, *, limit: int = 100,
                            before_id: int | None = None, action: str | None = None
                            ) -> list[tuple[int, AuditEntry]]:
        require(actor, Permission.read_audit)
        return await self.audit.entries(limit=limit, before_id=before_id, action=action)
