"""Attributed links: member codes, the three-part start argument, Telegram's 64 characters
and the short code that stands in for a longer argument."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from bot.communes import split_link, split_start
from bot.reports import links as links_module
from bot.reports.links import TELEGRAM_START_MAX, member_code, member_id
from bot.turn_contract import Incoming


@pytest.mark.parametrize("number", [0, 1, 35, 36, 1295, 10**9])
def test_member_codes_round_trip(number: int) -> None:
    assert TELEGRAM_START_MAX == 64
    code = member_code(number)
    assert code.startswith("m") and code[1:].isalnum() and code == code.lower()
    assert member_id(code) == number


@pytest.mark.parametrize("code", [None, "", "m", "x12", "M12", "m-1", "m" + "1" * 13])
def test_anything_else_is_no_member(code: str | None) -> None:
    assert member_id(code) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("/start vneid_install-yen_binh-m1f", ("/start vneid_install", "yen_binh", "m1f")),
    ("/start vneid_install-yen_binh", ("/start vneid_install", "yen_binh", None)),
    ("/start vneid_install-yen_binh-oops", ("/start vneid_install-yen_binh-oops", None, None)),
    ("/start vneid_install", ("/start vneid_install", None, None)),
    ("hello", ("hello", None, None)),
])
def test_split_link(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert split_link(text) == expected
    assert split_start(text) == expected[:2]


async def test_links_fit_telegram_and_short_codes_open_them(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # The guides' ids are short enough today; a limit of 50 shows what a longer one gets.
    monkeypatch.setattr(links_module, "TELEGRAM_START_MAX", 50)
    reports = runtime.reports
    reports.links.bot_username = "digiguide_bot"
    await runtime.registry.import_csv("units.csv", (
        "unit_id,parent_id,level,name\n"
        "yen_binh,,commune,Xã Yên Bình\n"
        f"{'x' * 30},,commune,Xã Có Mã Rất Dài\n").encode())
    short = await reports.link("vneid_install", "yen_binh", 5)
    assert short.web == "http://127.0.0.1:8080/?start=vneid_install-yen_binh-m5"
    assert short.telegram == "https://t.me/digiguide_bot?start=vneid_install-yen_binh-m5"
    long = await reports.link("vneid_health_book", "x" * 30, 123456)
    assert len(f"vneid_health_book-{'x' * 30}-{member_code(123456)}") > 50
    assert long.telegram == f"https://t.me/digiguide_bot?start={long.code}"
    assert await reports.links.expand(f"/start {long.code}") == \
        f"/start vneid_health_book-{'x' * 30}-{member_code(123456)}"
    assert await reports.links.expand("/start ZZ999") == "/start ZZ999"
    replies = await runtime.service.handle(Incoming("telegram", "42",
                                                    text=f"/start {long.code}"))
    assert replies and "Bước 1/" in replies[0].text
    again = await reports.link("vneid_health_book", "x" * 30, 123456)
    assert again.code == long.code  # codes are kept, never renumbered
