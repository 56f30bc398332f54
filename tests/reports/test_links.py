"""Attributed links: member codes, the three-part start argument, Telegram's 64 characters
and the short code that stands in for a longer argument."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from bot.communes import split_link, split_start
from bot.reports import links as links_module
from bot.reports.links import (
    TELEGRAM_START_MAX,
    Links,
    NoPublicUrl,
    member_code,
    member_id,
    public_base,
)
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
    reports.links = Links("https://troly.yenbinh.vn/", reports.links.codes)
    reports.links.bot_username = "digiguide_bot"
    await runtime.registry.import_csv("units.csv", (
        "unit_id,parent_id,level,name\n"
        "yen_binh,,commune,Xã Yên Bình\n"
        f"{'x' * 30},,commune,Xã Có Mã Rất Dài\n").encode())
    short = await reports.link("vneid_install", "yen_binh", 5)
    assert short.web == "https://troly.yenbinh.vn/?start=vneid_install-yen_binh-m5"
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


@pytest.mark.parametrize(("url", "public"), [
    ("https://troly.yenbinh.vn", True), ("http://203.113.0.10:8080/", True),
    (None, False), ("", False), ("http://127.0.0.1:8080", False), ("http://localhost:8080", False),
    ("http://10.0.0.5", False), ("http://192.168.1.20:8080", False), ("http://[::1]:8080", False),
    ("http://172.16.0.1", False), ("http://0.0.0.0:8080", False), ("http://169.254.1.1", False),
    ("http://server:8080", False), ("http://bot.local", False), ("ftp://troly.vn", False),
])
def test_only_an_address_residents_can_open_makes_links(url: str | None, public: bool) -> None:
    assert (public_base(url) is not None) is public


async def test_no_link_without_a_public_address(runtime: Runtime) -> None:
    """The test runtime has no PUBLIC_URL: asking for a link names the setting."""
    await runtime.registry.import_csv("units.csv", b"unit_id,parent_id,level,name\n"
                                                   b"yen_binh,,commune,X\xc3\xa3 Y\n")
    with pytest.raises(NoPublicUrl) as refused:
        await runtime.reports.link("vneid_install", "yen_binh")
    assert "PUBLIC_URL" in refused.value.message and "127.0.0.1" not in refused.value.message
