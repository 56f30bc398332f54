"""Guides never promise the team: a step's fixed text cannot know whether a team can be
reached, so the offer of a person is the ``{team_help}`` fill-in (the hand-off when a team is
reachable, whom to ask otherwise) and the hand-off's own honest wording after 🆘.

The check reads every shipped guide's texts (steps, summaries) and the engine's texts that
offer help, folded (no case or diacritics), against the ways a promise has been written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine import texts
from bot.engine.render import fill
from bot.flowspec import load_flows
from bot.teams.directory import Directory
from bot.text import fold
from tests.teams.test_directory import TREE

FLOWS = Path(__file__).resolve().parents[1] / "flows"
TEAM = r"(?:to\b|team name|team contact)"
PROMISES = [
    re.compile(p) for p in (
        r"\bchau (?:se |da )?(?:nho|bao|chuyen)\b[^.?!\n]{0,40}" + TEAM,  # "cháu nhờ tổ"
        TEAM + r"[^.?!\n]{0,40}\b(?:cung )?se (?:ho tro|giup|lien he|theo doi)",  # "tổ sẽ hỗ trợ"
        r"\bde (?:to|team name)\b[^.?!\n]{0,20}\bgiup\b",  # "để {team_name} giúp bác"
        r"\bbao to ngay\b",
    )
]


def _promise(text: str) -> str | None:
    folded = fold(text)
    return next((p.pattern for p in PROMISES if p.search(folded)), None)


def _guide_texts() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for flow in (item.flow for item in load_flows([FLOWS])[0]):
        found.append((f"{flow.id}: summary", flow.summary))
        found += [(f"{flow.id}.{step.id}", step.text) for step in flow.steps]
    return found


@pytest.mark.parametrize(("where", "text"), _guide_texts(), ids=lambda v: str(v)[:40])
def test_no_guide_text_promises_the_team(where: str, text: str) -> None:
    assert _promise(text) is None, f"{where} promises the team: {text!r} (use {{team_help}})"


@pytest.mark.parametrize("name", ["HANDOFF_OFFER", "TROUBLE_TEAM"])
def test_the_engines_offers_of_a_person_use_the_fill_in(name: str) -> None:
    text = getattr(texts, name)
    assert "{team_help}" in text and _promise(text) is None


def test_the_check_catches_the_promises_that_were_shipped() -> None:
    for shipped in ("Bác đã làm đúng. Tổ công nghệ số sẽ hỗ trợ bác thêm.",
                    "Cháu nhờ tổ công nghệ số của xã theo dõi giúp bác nữa ạ.",
                    "nên cháu sẽ nhờ Tổ công nghệ số cộng đồng giúp bác.",
                    "Cháu nhờ {team_name} ngồi khai cùng bác cho đúng.",
                    "Bác bấm «🆘 Tôi bị kẹt» để {team_name} giúp bác"):
        assert _promise(shipped) is not None, shipped
    assert _promise("Bác hỏi nơi đã khám, hoặc nhờ tổ công nghệ số hỏi giúp.") is None


def test_team_help_knows_whether_a_team_is_reachable() -> None:
    linked = Directory(TREE.units.values(), {})
    assert any(u.telegram_chat for u in linked.units.values())
    reachable = next(u.id for u in linked.units.values() if linked.route(u.id) is not None)
    said = fill("{team_help}", linked.places(reachable))
    assert "Tôi bị kẹt" in said and "chuyển câu hỏi" in said
    alone = Directory([u for u in TREE.units.values() if u.telegram_chat is None], {})
    lonely = next(iter(alone.units))
    assert alone.route(lonely) is None
    said = fill("{team_help}", alone.places(lonely))
    assert "Tôi bị kẹt" not in said and said.startswith("Bác có thể nhờ")
    console = Directory(alone.units.values(), {}, console=[lonely])
    assert "chuyển câu hỏi" in fill("{team_help}", console.places(lonely))
    assert fill("{team_help}", {}).startswith("Bác có thể nhờ Tổ công nghệ số cộng đồng")
