"""Share codes: what residents may type, and codes that never change meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_runtime
from bot.sharing.codes import normalize
from tests.conftest import settings_for, sqlite_url


@pytest.mark.parametrize(("typed", "code"), [
    ("VN1", "VN1"), ("vn1", "VN1"), (" Vn 1 ", "VN1"), ("VN-01", "VN1"), ("bh12.", "BH12"),
    ("VNeID", None), ("1", None), ("VN12345", None), ("cài vneid", None)])
def test_codes_are_read_generously(typed: str, code: str | None) -> None:
    assert normalize(typed) == code


async def test_every_guide_has_a_code_and_new_ones_never_renumber(tmp_path: Path) -> None:
    settings = settings_for(sqlite_url(tmp_path))
    async with build_runtime(settings) as runtime:
        codes = await runtime.codes.all()
        guides = {c.flow_id for c in codes if c.unit is None}
        assert guides == set(runtime.catalog.flows)
        by_flow = {c.flow_id: c.code for c in codes}
        assert by_flow["vneid_install"].startswith("VN")
        assert by_flow["vssid_install"].startswith("BH")
        team = await runtime.codes.code_for(runtime.catalog, "vneid_install", "yen_binh")
        assert team not in by_flow.values()
        opened = await runtime.codes.resolve(team.lower())
        assert opened is not None and opened.start == "/start vneid_install-yen_binh"
        with pytest.raises(ValueError):
            await runtime.codes.code_for(runtime.catalog, "no_such_guide")
        with pytest.raises(ValueError):
            await runtime.codes.code_for(runtime.catalog, "vneid_install", "Bad Unit!")
    async with build_runtime(settings) as runtime:
        again = {c.code: (c.flow_id, c.unit) for c in await runtime.codes.all()}
        assert again[team] == ("vneid_install", "yen_binh")
        assert {c: f for c, (f, u) in again.items() if u is None} == {
            code: flow for flow, code in by_flow.items()}
