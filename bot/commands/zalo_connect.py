"""``python -m bot zalo-connect``: obtain the first refresh token without writing HTTP by hand.

1. ``zalo-connect --redirect-uri https://…`` prints the permission link for the OA admin and a
   ``code_verifier`` to keep (OAuth v4 with PKCE).
2. The admin opens the link and allows the app; Zalo redirects to the redirect URI with
   ``?code=…``.
3. ``zalo-connect --code … --verifier …`` trades the code for tokens and stores them in the
   database, where the running bot (or the next start) picks them up: no
   ``ZALO_REFRESH_TOKEN`` needed. Tokens are not printed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import logging
import secrets
from urllib.parse import urlencode

from bot.app import open_services
from bot.channels.zalo.api import PERMISSION_PATH, TokenRefused, Unavailable, ZaloAPI
from bot.channels.zalo.channel import ZaloConfig
from bot.config import Settings
from bot.storage.zalo import Tokens


def permission_link(config: ZaloConfig, redirect_uri: str) -> tuple[str, str]:
    """The link for the OA admin, and the verifier that goes with it."""
    verifier = secrets.token_urlsafe(48)[:64]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = urlencode({"app_id": config.app_id, "redirect_uri": redirect_uri,
                       "code_challenge": challenge.decode().rstrip("="),
                       "state": secrets.token_urlsafe(12)})
    return f"{config.oauth_url.rstrip('/')}{PERMISSION_PATH}?{query}", verifier


async def store_first_tokens(settings: Settings, config: ZaloConfig, code: str,
                             verifier: str) -> None:
    api = ZaloAPI(config.app_id, config.app_secret, api_url=config.api_url,
                  oauth_url=config.oauth_url)
    try:
        async with open_services(settings) as services:
            grant = await api.exchange_code(code, verifier)
            seed, now = config.refresh_token, services.clock.now()
            await services.zalo_store().replace_tokens(
                config.app_id, Tokens(grant.access_token, now + grant.expires_in,
                                      grant.refresh_token),
                hashlib.sha256(seed.encode()).hexdigest() if seed else None, now)
    finally:
        await api.close()


def _connect(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    config = ZaloConfig.from_settings(settings)
    if config is None:
        print("set ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET first")
        return 2
    if args.code and args.verifier:
        try:
            asyncio.run(store_first_tokens(settings, config, args.code, args.verifier))
        except (TokenRefused, Unavailable) as error:
            print(f"Zalo did not give tokens ({error}); get a new code and try again")
            return 1
        print("Zalo tokens stored in the database; the Zalo channel can start.")
        return 0
    if args.redirect_uri:
        link, verifier = permission_link(config, args.redirect_uri)
        print(f"1. The OA admin opens:\n   {link}\n2. Keep this verifier: {verifier}\n"
              "3. Then: python -m bot zalo-connect --code <code from the redirect> "
              f"--verifier {verifier}")
        return 0
    print("use --redirect-uri URL, then --code CODE --verifier VERIFIER")
    return 2


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("zalo-connect",
                                 help="obtain and store the Zalo OA's first tokens")
    parser.add_argument("--redirect-uri", default=None)
    parser.add_argument("--code", default=None)
    parser.add_argument("--verifier", default=None)
    parser.set_defaults(handler=_connect)
