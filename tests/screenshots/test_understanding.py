"""What the engine makes of a picture's text (pure: the OCR ran before the turn)."""

from __future__ import annotations

import pytest

from bot.engine.catalog import Catalog
from bot.engine.engine import Engine, Turn
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.flowspec import check_flows, load_flows
from bot.flowspec.loader import LoadedFlow
from bot.flowspec.model import Flow
from bot.intents.base import IntentGuess, IntentResult
from tests.conftest import FLOWS

SCAM_SMS = ("09:41\n\nBHXH\n\nBHXH VN: Quy khach vui long cap nhat sinh\n\ntrac hoc tai "
            "vneid-gov.com de tranh bi\nkhoa tai khoan.")
ACTIVATION = ("09:41\n\nVNelD\n\nĐăng nhập\nSố định danh cá nhân\n\n"
              "Kích hoạt tài khoản định danh điện tử")
APPROVAL_SMS = ("Cuc Canh sat QLHC ve TTXH thong bao: Ho so dang ky tai khoan dinh danh\n"
                "dien tu cua cong dan NGUYEN VAN AN da duoc phe duyet. De nghi truy cap\n"
                "ung dung VNeID hoac dia chi https://vneid.gov.vn de kich hoat tai khoan")


@pytest.fixture(scope="module")
def engine() -> Engine:
    loaded, problems = load_flows([FLOWS])
    assert not problems
    return Engine(Catalog(item.flow for item in loaded))


def picture(engine: Engine, text: str, state: SessionState | None = None,
            intent: IntentResult | None = None) -> Turn:
    return engine.step(state or SessionState(), Inbound(text=text, picture=True, intent=intent))


def routes(turn: Turn) -> list[tuple[str | None, str | None, str]]:
    return [(e.flow_id, e.step_id, e.data["route"]) for e in turn.events
            if e.kind == "picture_read"]


def test_a_scam_sms_is_warned_about_first_naming_the_odd_link(engine: Engine) -> None:
    turn = picture(engine, SCAM_SMS)
    first = turn.replies[0].text
    assert first.startswith("⚠️")
    assert "Cháu thấy trong ảnh có dòng «" in first and "vneid-gov.com" in first
    assert routes(turn) == [(None, None, "scam")]
    assert turn.state.flow_id == "scam_report"
    assert not engine.needs_intent(SessionState(), Inbound(text=SCAM_SMS, picture=True))


def test_the_activation_screen_opens_the_activation_guide_at_that_step(engine: Engine) -> None:
    turn = picture(engine, ACTIVATION)
    assert routes(turn) == [("vneid_activate", "open_activate", "screen")]
    assert (turn.state.flow_id, turn.state.step_id) == ("vneid_activate", "open_activate")
    assert "«Kích hoạt tài khoản định danh điện tử»" in turn.replies[0].text
    assert turn.state.history  # "Quay lại" leads to the steps before it
    again = picture(engine, ACTIVATION, turn.state)
    assert "Bác đang ở đúng bước này" in again.replies[0].text
    assert again.state.step_id == "open_activate"


def test_the_real_approval_sms_is_no_warning(engine: Engine) -> None:
    turn = picture(engine, APPROVAL_SMS)
    assert routes(turn) == [("vneid_activate", "has_app", "screen")]
    assert not any(e.kind == "scam_signal" for e in turn.events)


def test_a_screen_inside_another_guide_keeps_the_way_back(engine: Engine) -> None:
    inside = engine.step(SessionState(), Inbound(payload="f:vneid_install")).state
    turn = picture(engine, ACTIVATION, inside)
    assert turn.state.flow_id == "vneid_activate"
    assert turn.state.trail and turn.state.trail[-1].flow_id == "vneid_install"


def test_other_text_goes_through_intent_recognition(engine: Engine) -> None:
    text = "Quên mật khẩu VssID thì làm sao"
    assert engine.needs_intent(SessionState(), Inbound(text=text, picture=True))
    recognised = IntentResult((IntentGuess("vssid_login", 0.9),), {}, "test")
    turn = picture(engine, text, intent=recognised)
    assert routes(turn)[0][2] == "intent"
    assert turn.replies[0].text.startswith("Cháu thấy trong ảnh có dòng «")
    assert turn.state.flow_id == engine.catalog.by_intent["vssid_login"]


def test_unreadable_text_offers_the_team(engine: Engine) -> None:
    for text, route in (("", "no_text"), ("Mẹ ơi tối nay con về ăn cơm", "not_placed")):
        turn = picture(engine, text, intent=IntentResult((), {}, "test"))
        assert routes(turn)[0][2] == route
        assert "chưa đọc được" in turn.replies[0].text
        assert any(b.payload == "c:stuck" for b in turn.replies[0].buttons)


def test_a_number_on_the_picture_is_masked_in_what_is_said(engine: Engine) -> None:
    turn = picture(engine, "Số định danh cá nhân: 001088012345\nMẹ ơi",
                   intent=IntentResult((), {}, "test"))
    said = " ".join(r.text for r in turn.replies)
    assert "001088012345" not in said and "[số định danh]" in said
    assert "Cháu không lưu ảnh" in said
    assert all("001088012345" not in str(e.data) for e in turn.events)


def _loaded(flow: Flow, name: str) -> LoadedFlow:
    return LoadedFlow(flow, f"{name}.yml", {})


def test_screens_are_whole_lines_and_name_one_step() -> None:
    step = {"id": "a", "text": "Bác bấm nút.", "end": "completed"}
    with pytest.raises(ValueError, match="three words"):
        Flow.model_validate({"id": "x", "title": "X", "summary": "x",
                             "steps": [{**step, "screens": ["Kích hoạt"]}]})
    same = ["Kích hoạt tài khoản định danh"]
    one = Flow.model_validate({"id": "one", "title": "X", "summary": "x",
                               "steps": [{**step, "screens": same}]})
    two = Flow.model_validate({"id": "two", "title": "X", "summary": "x",
                               "steps": [{**step, "screens": ["Kich hoat tai khoan dinh danh"]}]})
    problems = check_flows([_loaded(one, "one"), _loaded(two, "two")])
    assert any("also in one.a" in p.message for p in problems)
