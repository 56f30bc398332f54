"""Sign-in, sessions, accounts and the audit trail of account changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from bot.accounts import throttle
from bot.accounts.passwords import Passwords, password_problem
from bot.accounts.roles import Permission, Principal, Role, cli_actor, require
from bot.clock import Clock, SystemClock
from bot.privacy import mask
from bot.storage.accounts import AccountRow, AccountStore, LoginTaken
from bot.storage.audit import AuditEntry, AuditStore, Verified
from bot.storage.signins import SigninStore

log = logging.getLogger(__name__)

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
COMMUNE_RE = re.compile(r"^[a-z0-9_]{1,30}$")
SESSION_TTL = dt.timedelta(hours=12)
LEVEL_WORDS = {"village": "một thôn", "province": "một tỉnh"}
LINK_TTL = dt.timedelta(hours=24)


class SignInFailed(Exception):
    """Wrong login or password, or a disabled account (one answer for all three)."""


class Locked(Exception):
    """Too many failures (of this login from this address, from this address, or of this
    login from addresses it never signed in from): wait until ``until``."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is Vietnamese, for people."""


@dataclass(frozen=True)
class SignedIn:
    token: str  # the cookie value; only its hash is stored
    principal: Principal
    failed_since: int = 0  # wrong passwords for this login since its previous sign-in
    failed_addresses: int = 0  # from how many addresses


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_login(login: str) -> str:
    return login.strip().lower()


def _actor(principal: Principal | None) -> tuple[int | None, str]:
    return (principal.account_id, principal.login) if principal else (None, cli_actor())


class AccountService:
    def __init__(self, store: AccountStore, audit: AuditStore, *, clock: Clock | None = None,
                 passwords: Passwords | None = None) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock or SystemClock()
        self.passwords = passwords or Passwords()
        self.signins = SigninStore(store.engine)

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
        await self._check_commune(chosen, commune)
        hashed = None
        if password is not None:
            problem = password_problem(password, login=login)
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
        await self._check_commune(chosen, commune)
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
        account = await self.link_account(token)
        if account is None or account.disabled:
            raise AccountError("Liên kết đã hết hạn hoặc đã được dùng.")
        problem = password_problem(password, login=account.login)
        if problem:
            raise AccountError(problem)
        hashed = await self.passwords.hash(password)
        entry = AuditEntry(account.id, account.login, "account.password_set", account.login)
        if not await self.store.use_link(token_hash(token), hashed, self.clock.now(), entry):
            raise AccountError("Liên kết đã hết hạn hoặc đã được dùng.")
        return await self._open_session(account)

    async def _check_commune(self, role: Role, commune: str | None) -> None:
        """An editor's commune must be a commune of the registry: not a village, not a
        province, not a code nobody has."""
        if commune is None:
            return
        if role is not Role.editor:
            raise AccountError("Chỉ tài khoản biên tập mới gắn với một xã.")
        if not COMMUNE_RE.match(commune):
            raise AccountError("Mã xã gồm chữ thường không dấu, số và _ (ví dụ: yen_binh).")
        level = await self.store.unit_level(commune)
        if level is None:
            raise AccountError(f"Không có xã nào mã {commune} trong danh sách đơn vị.")
        if level != "commune":
            raise AccountError(f"{commune} là {LEVEL_WORDS.get(level, level)}, không phải xã: "
                               "tài khoản biên tập chỉ gắn với một xã.")

    async def _existing(self, login: str) -> AccountRow:
        account = await self.store.by_login(normalize_login(login))
        if account is None:
            raise AccountError(f"Không có tài khoản {login}.")
        return account

    # ------------------------------------------------------------- sign-in and sessions
    async def sign_in(self, login: str, password: str, address: str = "unknown") -> SignedIn:
        """Raises :class:`Locked` while a throttle holds (see :mod:`bot.accounts.throttle`;
        the password is not even checked) and :class:`SignInFailed` otherwise. ``address``:
        the client's address. Every outcome is audited."""
        login = normalize_login(login)[:64]
        now = self.clock.now()
        keys = throttle.keys(login, address)
        account = await self.store.by_login(login)
        held = await self.signins.throttles(list(keys.values()))
        usual = account is not None and await self.signins.usual(
            account.id, throttle.address_hash(address), now - throttle.USUAL_FOR)
        blocked = [t.blocked_until for kind, key in keys.items() if key in held
                   and (t := held[key]).blocked_until is not None and t.blocked_until > now
                   and not (kind == "login" and usual)]
        if blocked:
            log.warning("sign-in refused: login %r is throttled from this address", login)
            await self.audit.append(AuditEntry(None, "system", "signin.throttled", login,
                                               {"address": address}), now)
            raise Locked(max(blocked))
        good = await self.passwords.verify(account.password_hash if account else None, password)
        if account is None or not good or account.disabled:
            failed = await self.signins.record_failure(list(keys.values()), now,
                                                       forget=throttle.FORGET,
                                                       block=throttle.wait_after)
            log.warning("sign-in failed for login %r (%d from this address)", login,
                        failed[keys["pair"]].failures)
            # an unknown login may be a password typed in the wrong field: masked
            await self.audit.append(AuditEntry(None, "system", "signin.failed",
                                               login if account else mask(login), {
                                                   "address": address,
                                                   "known_login": account is not None}), now)
            raise SignInFailed
        await self.signins.clear([keys["pair"]])
        await self.signins.remember(account.id, throttle.address_hash(address), now)
        failures, addresses = await self._failures_since_last_sign_in(login)
        await self.audit.append(AuditEntry(account.id, account.login, "signin.ok", login, {
            "address": address}), now)
        signed = await self._open_session(account)
        return SignedIn(signed.token, signed.principal, failures, addresses)

    async def _failures_since_last_sign_in(self, login: str) -> tuple[int, int]:
        """Wrong passwords for ``login`` since it last signed in, and from how many addresses
        (read from the audit log: at most the last 500 entries about the login)."""
        entries = await self.audit.entries(limit=500, target=login)
        failed = []
        for _, entry in entries:  # newest first
            if entry.action == "signin.ok":
                break
            if entry.action == "signin.failed":
                failed.append(str(entry.details.get("address", "")))
        return len(failed), len(set(failed))

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
        await self.audit.append(AuditEntry(principal.account_id, principal.login, "signout",
                                           principal.login), self.clock.now())

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

    async def verify_audit(self, actor: Principal | None) -> Verified:
        """Walk the audit log's hash chain (``python -m bot admin audit-verify``, the audit
        page)."""
        require(actor, Permission.read_audit)
        return await self.audit.verify()
