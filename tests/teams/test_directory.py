"""The units tree in memory: typed names matched, place names inherited, routing and
escalation up the tree, working hours in Vietnam's time, phone numbers in relayed text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.storage.teams import UnitRow
from bot.teams.directory import Directory, name_key
from bot.teams.hours import VIETNAM, Hours, when
from bot.teams.phones import find_phones, mask_except_phones


def unit(uid: str, parent: str | None, level: str, name: str, **extra: Any) -> UnitRow:
    values: dict[str, Any] = {"team_name": None, "team_phone": None, "hours": None,
                              "escalate_minutes": None, "escalate_to": None,
                              "telegram_chat": None, "telegram_title": None, "source": "csv"}
    values.update(extra)
    return UnitRow(id=uid, parent_id=parent, level=level, name=name, name_key=name_key(name),
                   **values)


TREE = Directory([
    unit("p", None, "province", "Tỉnh Lào Cai", team_name="Tổ tỉnh", team_phone="0200",
         telegram_chat=-1),
    unit("yb", "p", "commune", "Xã Yên Bình", team_name="Tổ Yên Bình", hours="06:00-22:00",
         escalate_minutes=15),
    unit("yb2", "p", "commune", "Phường Yên Bình", telegram_chat=-2, escalate_to="yb"),
    unit("dong", "yb", "village", "Thôn Đông", telegram_chat=-3),
    unit("tl", "p", "commune", "Xã Tân Lập"),
], {"commune": "xã/phường của bác", "team_name": "Tổ", "team_phone": "?"})


@pytest.mark.parametrize(("typed", "found"), [
    ("yen binh", ["yb2", "yb"]),
    ("Yên Bình", ["yb2", "yb"]),
    ("xa yen binh", ["yb2", "yb"]),
    ("  TÂN   lập ", ["tl"]),
    ("tan", ["tl"]),
    ("Đông", []),  # villages are not offered: residents are asked for their commune
    ("", []),
])
def test_typed_names_match_without_case_diacritics_or_xa(typed: str, found: list[str]) -> None:
    assert sorted(u.id for u in TREE.match(typed)) == sorted(found)


def test_places_come_from_the_nearest_unit_that_sets_them() -> None:
    assert TREE.places("dong") == {"commune": "Xã Yên Bình", "team_name": "Tổ Yên Bình",
                                   "team_phone": "0200", "team_reachable": "yes"}
    assert TREE.places("nowhere")["commune"] == "xã/phường của bác"
    assert TREE.label("dong") == "Thôn Đông, Xã Yên Bình"


def test_routing_and_escalation_follow_the_tree() -> None:
    village = TREE.route("dong")
    assert village is not None and village.unit.id == "dong"
    commune = TREE.route("yb")
    assert commune is not None and commune.unit.id == "p"  # no group: the province's
    console = Directory(TREE.units.values(), {}, console=["yb"])
    own = console.route("yb")  # console members and no group: its own team, in the console
    assert own is not None and own.unit.id == "yb" and own.console and own.chat is None
    assert console.escalation("dong") is not None and console.escalation("dong").unit.id == "yb"
    assert TREE.route(None) is not None  # one province: residents of no known unit go there
    up = TREE.escalation("dong")
    assert up is not None and up.unit.id == "p"
    assert TREE.escalation("p") is None
    assert TREE.escalation("yb2") is not None  # its target "yb" has no group: above it, "p"
    assert TREE.escalation("dong", skip=["p"]) is None
    team = TREE.team(TREE.units["dong"])
    assert team.hours.label() == "06:00–22:00" and team.escalate_minutes == 30
    assert TREE.team(TREE.units["yb"]).escalate_minutes == 15
    assert [p for _, p in TREE.phones("dong")] == ["0200"]


def vn(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=VIETNAM).astimezone(dt.UTC)


def test_hours_in_vietnam_time() -> None:
    day = Hours.parse("07:00-21:00")
    assert day.is_open(vn(7)) and day.is_open(vn(20, 59))
    assert not day.is_open(vn(21)) and not day.is_open(vn(6, 59))
    assert day.next_open(vn(22)) == vn(7, day=2)
    assert day.next_open(vn(3)) == vn(7)
    assert day.next_open(vn(9)) == vn(9)
    night = Hours.parse("20:00-06:00")
    assert night.is_open(vn(23)) and night.is_open(vn(5)) and not night.is_open(vn(12))
    assert Hours.parse("00:00-24:00").is_open(vn(3))
    assert when(vn(7, day=2), vn(22)) == "7 giờ sáng mai"
    assert when(vn(13, 30), vn(12)) == "13 giờ 30 chiều nay"
    for bad in ("7-21", "25:00-26:00", "07:00-07:00", "07:60-08:00"):
        with pytest.raises(ValueError):
            Hours.parse(bad)
    assert Hours.of("garbage").label() == "07:00–21:00"


def test_phone_numbers_cross_but_codes_do_not() -> None:
    text = "Bác gọi 0912 345 678 hoặc +84 912.345.679, mã OTP là 482913, mật khẩu: abc123"
    masked = mask_except_phones(text)
    assert "0912 345 678" in masked and "+84 912.345.679" in masked
    assert "482913" not in masked and "abc123" not in masked
    assert find_phones("số bà là 0987654321 nhé") == ["0987654321"]
    assert find_phones("mã 123456") == []
