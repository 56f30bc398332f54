"""A server whose flows folder holds hostile or broken files starts with every good guide and
names the broken ones on /healthz (issue #9)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import build_runtime
from bot.turn_contract import Incoming
from tests.conftest import settings_for, sqlite_url
from tests.flows.helpers import copy_flows
from tests.flowspec.test_hostile_files import HOSTILE


async def test_the_server_starts_without_the_broken_files(tmp_path: Path) -> None:
    settings = settings_for(sqlite_url(tmp_path), flows_dir=copy_flows(tmp_path / "flows"))
    folder = settings.flows_dir
    good = len(list(folder.glob("*.yml")))
    for name, (text, _, _) in HOSTILE.items():
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    path = folder / "vneid_health_book.yml"  # a dangling `next`: passes the model, fails the checks
    path.write_text(re.sub(r"(?m)^    next: \w+$", "    next: nowhere",
                           path.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    async with build_runtime(settings) as rt:
        health = await rt.health()
        assert health["flows"] == good - 1
        broken = [*(f"{name}.yml" for name in HOSTILE), "vneid_health_book.yml"]
        assert health["broken_flows"] == sorted(broken)
        assert "vneid_health_book" not in rt.catalog.flows
        replies = await rt.service.handle(Incoming("web", "r1", text="/start vneid_install"))
        assert replies and "Bước 1/" in replies[0].text
