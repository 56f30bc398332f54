"""Reply understanding alone (:mod:`bot.engine.understand`, :mod:`bot.engine.polarity`): pure
functions over the shipped guides, no engine, no NLU."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.replies import affirmative
from bot.engine import payloads
from bot.engine.catalog import Catalog
from bot.engine.polarity import is_negative, is_question, polar_words
from bot.engine.understand import ask_text, read_reply
from bot.flowspec import load_flows

ROOT = Path(__file__).resolve().parents[2]
LOADED, _ = load_flows([ROOT / "flows"])
CATALOG = Catalog(item.flow for item in LOADED)


@pytest.mark.parametrize("text", [
    "không", "ko", "k co", "kh dc", "hok", "hông có", "hổng thấy", "khum", "chưa", "chua",
    "chẳng thấy", "chả biết", "cha biet", "đâu có", "dau co", "làm gì có", "co dau", "sai rồi",
    "tên không đúng", "may hong co nfc", "vẫn chưa",
])
def test_negative(text: str) -> None:
    assert is_negative(polar_words(text)), text


@pytest.mark.parametrize("text", [
    "có", "rồi", "đúng tên rồi", "không sai", "không có gì sai", "Lịch sử khám chữa bệnh",
    "máy hỏng rồi", "cha của bác", "thông tin đúng hết rồi",
])
def test_positive(text: str) -> None:
    assert not is_negative(polar_words(text)), text


@pytest.mark.parametrize(("text", "question"), [
    ("chiều nay có bão không", True), ("cháu ăn cơm chưa", True), ("có phải không", True),
    ("không", False), ("vẫn chưa", False), ("chưa", False), ("khong co", False),
])
def test_question(text: str, question: bool) -> None:
    assert is_question(polar_words(text)) is question


def _read(flow: str, step: str, text: str) -> tuple[str, str | None]:
    reading = read_reply(CATALOG.flows[flow], step, text)
    return reading.kind, reading.payload


@pytest.mark.parametrize(("flow", "step", "text", "kind", "button"), [
    # A yes never presses the "no" button: it goes on (or presses the yes button).
    ("payment_transfer", "check_name", "đúng tên rồi cháu", "press", None),
    ("vneid_install", "check_data", "thong tin dung roi", "press", None),
    ("vneid_activate", "enter_otp", "nhan dc ma roi", "press", None),
    ("vneid_documents", "login", "dang nhap dc roi", "press", None),
    ("vneid_health_book", "open_book", "thay r", "press", None),
    ("vneid_documents", "need_level2", "co muc 2 roi", "press", 0),
    ("vneid_documents", "need_level2", "chua co muc 2", "press", 1),
    ("vneid_activate", "check_sms", "hông có", "press", 1),
    ("scam_report", "otp_asked", "chẳng đưa mã cho ai", "press", 0),
    # The "no" button's own words, with the negator, press it.
    ("payment_transfer", "check_name", "tên người nhận sai", "press", 0),
    ("vneid_install", "scan_chip", "may ko co nfc", "press", 0),
    # Two buttons equally close, or a doubt: ask which one.
    ("vssid_lookup", "choose", "bao hiem", "ask", None),
    ("payment_bills", "check_bill", "so tien khac giay bao", "ask", None),
    # Numbers must agree: "mới mức 1" is not "Đã có mức 2".
    ("vneid_documents", "need_level2", "bac moi muc 1 thoi", "none", None),
    ("vneid_login", "choose_problem", "quen pass code 6 so", "press", 1),
    ("vneid_install", "scan_chip", "toi bi ket", "handoff", None),
    ("vneid_install", "scan_chip", "chieu nay co bao ko chau", "none", None),
    ("vneid_install", "scan_chip", "ko hiểu", "trouble", None),
])
def test_reading(flow: str, step: str, text: str, kind: str, button: int | None) -> None:
    got_kind, payload = _read(flow, step, text)
    assert got_kind == kind, (text, got_kind, payload)
    if kind == "press":
        expected = (payloads.done(flow, step) if button is None
                    else payloads.button(flow, step, button))
        assert payload == expected, text


def test_the_affirmative_of_a_negative_button_never_presses_it() -> None:
    """Across every guide: "máy có NFC rồi" never presses "Máy không có NFC"."""
    checked = 0
    for compiled in CATALOG.flows.values():
        for step in compiled.flow.steps:
            if step.end is not None:
                continue
            for i, button in enumerate(step.buttons):
                if not is_negative(polar_words(button.label)):
                    continue
                for text in (affirmative(button.label), affirmative(button.label).lower()):
                    reading = read_reply(compiled, step.id, text)
                    assert reading.payload != payloads.button(compiled.flow.id, step.id, i), (
                        compiled.flow.id, step.id, text)
                    checked += 1
    assert checked >= 60


def test_ask_text() -> None:
    assert ask_text(["A", "B"]).startswith("Ý bác là «A» hay «B» ạ?")
    assert ask_text(["A", "B", "C"]).startswith("Ý bác là «A», «B» hay «C» ạ?")
