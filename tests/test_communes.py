"""Placeholders are filled from the resident's commune, remembered from a team's link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import build_runtime
from bot.communes import CommuneDirectory, split_start
from bot.config import Settings
from bot.turn_contract import Incoming
from tests.conftest import ROOT, settings_for, sqlite_url

COMMUNES = ROOT / "tests" / "fixtures" / "communes"


@pytest.mark.parametrize(("text", "expected"), [
    ("/start vneid_install-yen_binh", ("/start vneid_install", "yen_binh")),
    ("/start -yen_binh", ("/start", "yen_binh")),
    ("/start vneid_install", ("/start vneid_install", None)),
    ("/start vneid_install-Bad Id!", ("/start vneid_install-Bad Id!", None)),
    ("xin chào", ("xin chào", None)),
    (None, (None, None)),
])
def test_split_start(text: str | None, expected: tuple[str | None, str | None]) -> None:
    assert split_start(text) == expected


async def test_team_link_sets_the_commune_for_later_turns(tmp_path: Path) -> None:
    settings = settings_for(sqlite_url(tmp_path), communes_dir=COMMUNES)
    async with build_runtime(settings) as rt:
        async def say(user: str, **kw: str) -> str:
            replies = await rt.service.handle(Incoming("web", user, **kw))
            assert replies is not None
            return "\n".join(r.text for r in replies)

        opened = await say("a", text="/start vneid_install-yen_binh")
        assert "Bước 1/" in opened
        assert "Yên Bình" in await say("a", payload="c:stuck")
        assert "Yên Bình" in await say("a", text="/help")  # remembered without the link
        plain = await say("b", payload="c:stuck")  # no commune known: asked which, first
        assert "Yên Bình" not in plain and "xã/phường nào" in plain
        assert "Tổ công nghệ số cộng đồng" in await say("b", text="/help")
        unknown = await say("c", text="/start vneid_install-nowhere")
        assert "Bước 1/" in unknown


async def test_an_unknown_commune_in_a_link_is_logged(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(sqlite_url(tmp_path), communes_dir=COMMUNES)
    async with build_runtime(settings) as rt:
        with caplog.at_level("WARNING", logger="bot.conversation"):
            await rt.service.handle(Incoming("web", "a", text="/start vneid_install-nowhere"))
            await rt.service.handle(Incoming("web", "b", text="/start vneid_install-yen_binh"))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["unknown commune id 'nowhere' in a team link: the defaults are used"]


def test_the_shipped_example_commune_backs_the_readme_link() -> None:
    shipped = CommuneDirectory.load(ROOT / "docs" / "examples" / "communes", {})
    readme = "\n".join(page.read_text(encoding="utf-8")
                       for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    linked = set(re.findall(r"\?start=[a-z0-9_]+-([a-z0-9_]+)", readme))
    assert linked and linked <= set(shipped.communes)
    for commune in shipped.communes.values():
        assert commune.team_phone[0].isdigit()  # a number the guides can show as a link


async def test_the_example_commune_never_reaches_a_resident(tmp_path: Path) -> None:
    """Loaded only when asked for (COMMUNES_DIR=examples/communes): the default seed folder
    holds no example, so its dead number is never matched, filled in or printed."""
    example = CommuneDirectory.load(ROOT / "docs" / "examples" / "communes", {})
    dead = {c.team_phone for c in example.communes.values()}
    assert dead and Settings().communes_dir == Path("flows/communes")
    assert CommuneDirectory.load(ROOT / "flows" / "communes", {}).communes == {}
    async with build_runtime(settings_for(sqlite_url(tmp_path),
                                          communes_dir=ROOT / "flows" / "communes")) as rt:
        assert not rt.registry.directory.units
        said = []
        for kw in ({"text": "/start vneid_install-yen_binh"}, {"payload": "c:stuck"},
                   {"text": "yen binh"}, {"text": "/help"}):
            replies = await rt.service.handle(Incoming("web", "a", **kw))
            said += [r.text for r in replies or []]
    assert not [t for t in said if any(phone in t for phone in dead)]
