"""Console accounts: roles, sign-in, server-side sessions, CSRF tokens, lockout, audit log.

Built once for every console feature: a route asks :class:`AccountService` for the
:class:`Principal` behind a session cookie and checks :meth:`Principal.can`; every change is
written with an audit entry in the same transaction.
"""

from bot.accounts.roles import Forbidden, Permission, Principal, Role, require
from bot.accounts.service import AccountError, AccountService, Locked, SignedIn, SignInFailed

__all__ = ["AccountError", "AccountService", "Forbidden", "Locked", "Permission", "Principal",
           "Role", "SignInFailed", "SignedIn", "require"]
