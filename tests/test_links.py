"""The tappable spans of the assistant's text (the web page runs the same cases in Chromium)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.channels.links import find_links
from tests.conftest import ROOT

CASES = json.loads((ROOT / "tests" / "fixtures" / "links.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] for c in CASES])
def test_find_links(case: dict[str, Any]) -> None:
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", case["text"])
    found = [[text[link.start:link.end], link.href] for link in find_links(text)]
    assert found == case["links"]
    for link in find_links(text):
        assert re.fullmatch(r"tel:\+?[0-9*]+(?:%23)?|https?://\S+", link.href)
