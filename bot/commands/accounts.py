"""``python -m bot admin create-user|link|disable-user|enable-user``: accounts from the shell;
``python -m bot audit verify``: check the audit log's hash chain.

The same :class:`~bot.accounts.service.AccountService` functions as the console's accounts
and audit pages; the actor recorded in the audit log is ``cli:`` and the OS user.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from bot.accounts.roles import Role
from bot.accounts.service import AccountError, AccountService
from bot.app import open_services
from bot.config import Settings

LINK_PATH = "/admin/link/"


def signin_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url}{LINK_PATH}{token}"


async def _with_service(work: Callable[[AccountService, Settings], Awaitable[int]]) -> int:
    async with open_services() as services:
        try:
            return await work(services.accounts(), services.settings)
        except AccountError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1


def _create_user(args: argparse.Namespace) -> int:
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")

    async def work(service: AccountService, settings: Settings) -> int:
        account = await service.create_user(args.login, args.role, commune=args.commune,
                                            password=password)
        print(f"created {account.login} ({account.role}"
              + (f", commune {account.commune})" if account.commune else ")"))
        if password is None:
            token = await service.create_signin_link(account.login)
            print(f"one-time sign-in link (valid 24 hours): {signin_link(settings, token)}")
        return 0

    return asyncio.run(_with_service(work))


def _link(args: argparse.Namespace) -> int:
    async def work(service: AccountService, settings: Settings) -> int:
        token = await service.create_signin_link(args.login)
        print(f"one-time sign-in link (valid 24 hours): {signin_link(settings, token)}")
        return 0

    return asyncio.run(_with_service(work))


def _set_disabled(disabled: bool) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        async def work(service: AccountService, _: Settings) -> int:
            await service.set_disabled(None, args.login, disabled)
            print(f"{args.login} {'disabled; its sessions ended' if disabled else 'enabled'}")
            return 0

        return asyncio.run(_with_service(work))

    return handler


def _verify_audit(args: argparse.Namespace) -> int:
    async def work(service: AccountService, _: Settings) -> int:
        found = await service.verify_audit(None)
        print(found.summary())
        return 0 if found.intact else 2

    return asyncio.run(_with_service(work))


def register_audit(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="the audit log")
    sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = sub.add_parser("verify", help="check the hash chain (exit 2 when it is broken)")
    verify.set_defaults(handler=_verify_audit)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = commands.add_parser("admin", help="console accounts")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    create = sub.add_parser("create-user", help="create a console account")
    create.add_argument("login")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--commune", default=None,
                        help="an editor of one commune's local details (e.g. yen_binh)")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input instead of printing a "
                             "one-time sign-in link")
    create.set_defaults(handler=_create_user)
    link = sub.add_parser("link", help="print a new one-time sign-in link (24 hours)")
    link.add_argument("login")
    link.set_defaults(handler=_link)
    for name, disabled in (("disable-user", True), ("enable-user", False)):
        parser = sub.add_parser(name, help=f"{name.split('-')[0]} an account")
        parser.add_argument("login")
        parser.set_defaults(handler=_set_disabled(disabled))
