"""The scam-signal check on its own: the whole fresh set fires, with or without diacritics;
questions about the guides, replies inside a guide and the guides' own button labels do not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.flowspec import load_flows
from bot.safety import Signal, check
from bot.text import strip_diacritics
from tests.safety.messages import NOT_SCAM, SCAM_MESSAGES

ROOT = Path(__file__).resolve().parents[2]


def test_the_sets_are_big_enough() -> None:
    assert len(SCAM_MESSAGES) >= 40
    assert len(NOT_SCAM) >= 40
    plain = [m for m in SCAM_MESSAGES if m == strip_diacritics(m)]
    assert len(plain) >= 10, "the set has messages typed without diacritics"


@pytest.mark.parametrize("text", SCAM_MESSAGES)
def test_scam_message_fires(text: str) -> None:
    assert check(text).found, text


@pytest.mark.parametrize("text", SCAM_MESSAGES)
def test_scam_message_fires_without_diacritics(text: str) -> None:
    assert check(strip_diacritics(text)).found, text


@pytest.mark.parametrize("text", NOT_SCAM)
def test_ordinary_message_does_not_fire(text: str) -> None:
    assert not check(text).found, sorted(check(text).signals)


def test_button_labels_of_the_guides_do_not_fire() -> None:
    """Ordinary buttons never look like scam signs. The engine reads a typed whole label as its
    button before the safety layer, so the few buttons about harm itself (the scam guide's
    "Tôi đã mất tiền", the transfer guide's "Tôi lỡ chuyển nhầm rồi") may fire: their step
    handles it (tests/engine checks every typed label presses its button)."""
    about_harm = {("payment_transfer", "Tôi lỡ chuyển nhầm rồi")}
    loaded, _ = load_flows([ROOT / "flows"])
    for item in loaded:
        if item.flow.id == "scam_report":
            continue
        for step in item.flow.steps:
            for button in step.buttons:
                if button.flow == "scam_report" or (item.flow.id, button.label) in about_harm:
                    continue  # "Tôi nghi bị lừa" leads there anyway
                assert not check(button.label).found, (item.flow.id, button.label)


@pytest.mark.parametrize(("text", "signal"), [
    ("tôi bị lừa mất 5 triệu rồi", Signal.money_lost),
    ("tai khoan bi rut sach tien", Signal.money_lost),
    ("lỡ đọc mã otp cho thằng nó gọi xưng ngân hàng rồi", Signal.secret_given),
    ("da gui mat khau cho nguoi ta roi", Signal.secret_given),
    ("lỡ bấm vào đường link lạ rồi", Signal.app_installed),
    ("da cai app la theo link no gui", Signal.app_installed),
    ("có người chuyển nhầm tiền vào tài khoản rồi gọi đòi", Signal.wrong_transfer),
    ("tôi chuyển nhầm tiền cho người khác", Signal.sent_by_mistake),
    ("bác bấm nhầm một số, tiền đi sang người khác mất rồi", Signal.sent_by_mistake),
    ("cô đọc cho nó cái mã 6 số nhắn về máy rồi", Signal.secret_given),
    ("co tin nhan bao tai khoan bi khoa co kem duong link, bac bam vao roi",
     Signal.app_installed),
    ("thang xung cong an bat chuyen tien vao tai khoan an toan, bac chuyen roi",
     Signal.money_lost),
])
def test_harm_done_is_urgent(text: str, signal: Signal) -> None:
    assert check(text).urgent is signal


@pytest.mark.parametrize(("text", "main"), [
    ("có số lạ gọi xưng công an bảo căn cước bị lỗi", Signal.impersonation),
    ("ngân hàng nhắn bắt cập nhật sinh trắc học, ko làm thì bị khóa tk", Signal.fake_update),
    ("có người nhắn zalo gửi mã qr bảo quét để nhận tiền hỗ trợ tết", Signal.stranger_link),
    ("cài định danh mức 3 ở đâu", Signal.fake_level),
    ("co nguoi goi doi ma otp", Signal.secret_asked),
])
def test_warning_signs_are_named(text: str, main: Signal) -> None:
    result = check(text)
    assert result.urgent is None
    assert result.main is main


@pytest.mark.parametrize("text", [
    "đăng ký vneid có mất tiền không",  # "mất tiền" = costs money
    "sợ bị lừa mất tiền thì làm sao",  # a worry, not a loss
    "không nhận được link kích hoạt",
    "gọi công an hay gọi tổ hỗ trợ",  # the resident calls, nobody called them
    "bác gõ nhầm một số tài khoản, tên hiện ra không đúng",  # nothing sent yet
    "bac chuyen roi ma nguoi nhan bao chua nhan dc",  # sent, but to the right person
])
def test_look_alikes_are_not_harm(text: str) -> None:
    assert check(text).urgent is None


@pytest.mark.parametrize("text", [
    # The look-alikes: a secret, the police or a bank mentioned, no one acting.
    "đổi đt mới đăng nhập vneid nó gửi otp về máy cũ, máy cũ bán mất rồi",
    "kích hoạt vneid nó bắt đặt mật khẩu có chữ hoa chữ thường ký tự đặc biệt, khó quá, là sao",
    "công an xã hẹn làm mức 2",
    "chuyển tiền cho con, ngân hàng gửi mã otp về máy để xác nhận, bác nhập vào đâu",
    "otp không về máy",
    "app ngân hàng bắt cập nhật sinh trắc học, làm ở đâu",
    "công an phường gọi bác lên lấy căn cước",
])
def test_mentioning_is_not_a_sign(text: str) -> None:
    assert not check(text).found, sorted(check(text).signals)


def _training_examples() -> list[tuple[str, str]]:
    """The NLU's training examples (intent, text), entity marks removed."""
    found = []
    for file in sorted((ROOT / "nlu" / "training").glob("*.yml")):
        for block in yaml.safe_load(file.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines() if "intent" in block else ():
                text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line.strip()[2:])
                found.append((block["intent"], text))
    return found


def test_the_other_guides_questions_raise_no_warning() -> None:
    """1,300 questions residents ask about the other guides (the NLU's training examples) are
    a look-alike set of their own: none is a scam sign. A mistaken transfer of one's own is
    harm, but no scam: it goes to the transfer guide's own step."""
    examples = _training_examples()
    assert len(examples) > 1000
    fired = [(intent, text, sorted(check(text).signals)) for intent, text in examples
             if intent != "scam_report" and check(text).found
             and check(text).urgent is not Signal.sent_by_mistake]
    assert not fired
