"""What residents type inside a guide, through ``/api/chat`` on a real server (issue 20):
a typed "yes" never presses the "no" button, the 🆘 label and "tiếp tục" do what their buttons
do, data requests in residents' words, a secret typed inside a guide, and the erase question."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.app import Runtime
from bot.channels.web.app import create_app
from bot.engine import texts
from bot.residents import texts as data_texts
from tests.server import serving


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.service, runtime.health)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        yield http


async def chat(client: httpx.AsyncClient, user: str, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/chat", json={"user": user, **body})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def walk_to(client: httpx.AsyncClient, runtime: Runtime, user: str, flow: str,
                  step: str) -> None:
    """Open ``flow`` and press the buttons on its shortest way to ``step``."""
    compiled = runtime.service.engine.catalog.flows[flow]
    await chat(client, user, payload=f"f:{flow}")
    way = [*compiled.way_to(step), step]
    for here, there in itertools.pairwise(way):
        if compiled.default_next(here) == there:
            payload = f"n:{flow}.{here}"
        else:
            index = next(i for i, b in enumerate(compiled.steps[here].buttons)
                         if b.next == there)
            payload = f"s:{flow}.{here}.{index}"
        await chat(client, user, payload=payload)
    reached = await chat(client, user, text="/tieptuc")  # shows the step, moves nothing
    assert reached["guide"] == {"id": flow, "step": step}


@pytest.mark.parametrize(("flow", "step", "text", "then"), [
    # Item 1: a "yes" that repeats a "no" button's words without its negator goes on.
    ("payment_transfer", "check_name", "đúng tên rồi cháu", "amount"),
    ("vneid_install", "check_data", "thong tin dung roi", "portrait"),
    ("vneid_install", "check_data", "thông tin đúng hết rồi cháu", "portrait"),
    ("vneid_activate", "enter_otp", "nhan dc ma roi", "password"),
    ("vneid_documents", "login", "dang nhap dc roi", "wallet"),
    ("vneid_documents", "need_level2", "co muc 2 roi", "login"),
    ("vneid_health_book", "open_book", "thay r", "first_time"),
    # Item 5: replies that fell to the generic hint or picked the wrong button.
    ("vneid_install", "prepare", "tiep tuc", "choose_phone"),
    ("vssid_login", "call", "goi roi", "call_follow"),
    ("vneid_health_book", "android_update", "cap nhat roi", "open_book"),
    ("payment_transfer", "check_name", "đúng người rồi cháu", "amount"),
    ("payment_transfer", "check_name", "dung la con bac", "amount"),
    ("vneid_login", "choose_problem", "quen pass code 6 so", "pc_open"),
    # The negated words still press the "no" button.
    ("payment_transfer", "check_name", "tên người nhận sai", "wrong_name"),
])
async def test_typed_reply_moves_the_right_way(client: httpx.AsyncClient, runtime: Runtime,
                                               flow: str, step: str, text: str,
                                               then: str) -> None:
    await walk_to(client, runtime, "r1", flow, step)
    answer = await chat(client, "r1", text=text)
    assert answer["guide"] == {"id": flow, "step": then}, answer["messages"][0]["text"]


@pytest.mark.parametrize("text", ["Tôi bị kẹt", "toi bi ket"])
async def test_typing_the_stuck_label_hands_off(client: httpx.AsyncClient, runtime: Runtime,
                                                text: str) -> None:
    await walk_to(client, runtime, "typed", "vneid_install", "scan_chip")
    await walk_to(client, runtime, "pressed", "vneid_install", "scan_chip")
    typed = await chat(client, "typed", text=text)
    pressed = await chat(client, "pressed", payload="c:stuck")
    assert [m["text"] for m in typed["messages"]] == [m["text"] for m in pressed["messages"]]
    assert typed["guide"] == pressed["guide"]


async def test_a_split_reply_asks_which_button(client: httpx.AsyncClient,
                                               runtime: Runtime) -> None:
    await walk_to(client, runtime, "r1", "vssid_lookup", "choose")
    answer = await chat(client, "r1", text="bao hiem")
    first = answer["messages"][0]
    assert first["text"].startswith("Ý bác là «Thẻ bảo hiểm y tế», «Quá trình đóng bảo hiểm»")
    assert answer["guide"] == {"id": "vssid_lookup", "step": "choose"}
    assert {b["label"] for b in first["buttons"]} >= {"Thẻ bảo hiểm y tế",
                                                       "Quá trình đóng bảo hiểm"}


@pytest.mark.parametrize("text", ["012345678901", "mat khau cua bac la Abc@12345"])
async def test_a_secret_typed_in_a_guide_gets_the_warning_and_the_step(
        client: httpx.AsyncClient, runtime: Runtime, text: str) -> None:
    await walk_to(client, runtime, "r1", "vneid_activate", "enter_id")
    answer = await chat(client, "r1", text=text)
    said = [m["text"] for m in answer["messages"]]
    assert said[0] == texts.SAFETY_WARNING
    assert not any(t.startswith(texts.SWITCH_OFFER[:20]) for t in said)
    assert answer["guide"] == {"id": "vneid_activate", "step": "enter_id"}


async def test_small_talk_inside_a_guide_is_no_guide_offer(client: httpx.AsyncClient,
                                                           runtime: Runtime) -> None:
    await walk_to(client, runtime, "r1", "vneid_install", "scan_chip")
    answer = await chat(client, "r1", text="chieu nay co bao ko chau")
    assert answer["messages"][0]["text"].startswith(texts.IN_FLOW_HINT[:20])
    assert not any(b["payload"].startswith("f:") for m in answer["messages"]
                   for b in m["buttons"])


async def test_data_requests_in_residents_words(client: httpx.AsyncClient,
                                                runtime: Runtime) -> None:
    await walk_to(client, runtime, "r1", "vneid_install", "scan_chip")
    shown = await chat(client, "r1", text="cháu lưu những gì về bác")
    assert any(m["text"].startswith(data_texts.SUMMARY_HEAD) for m in shown["messages"])
    asked = await chat(client, "r1", text="xoa het thong tin cua bac di")
    assert asked["messages"][0]["text"] == texts.FORGET_CONFIRM
    erased = await chat(client, "r1", text="co")
    assert erased["messages"][-1]["text"].startswith("✅ Cháu đã xóa toàn bộ dữ liệu")


async def test_an_unusable_answer_to_the_erase_question_says_nothing_was_erased(
        client: httpx.AsyncClient) -> None:
    await chat(client, "r1", text="/start")
    asked = await chat(client, "r1", text="xóa dữ liệu của tôi")
    assert asked["messages"][0]["text"] == texts.FORGET_CONFIRM
    answer = await chat(client, "r1", text="cài vneid thế nào")
    said = [m["text"] for m in answer["messages"]]
    assert said[-1] == texts.FORGET_NOT_DONE
    assert answer["guide"] == {"id": "vneid_install", "step": "prepare"}
    kept = await chat(client, "r1", text="cháu lưu những gì về bác")
    assert any("Hướng dẫn đang làm dở" in m["text"] for m in kept["messages"])
    await chat(client, "r1", text="xóa dữ liệu của tôi")
    no = await chat(client, "r1", text="thôi không xóa")
    assert no["messages"][0]["text"].startswith(texts.FORGET_KEPT)


async def test_a_typed_answer_to_was_it_useful(client: httpx.AsyncClient,
                                               runtime: Runtime) -> None:
    await walk_to(client, runtime, "r1", "payment_transfer", "receipt")
    finished = await chat(client, "r1", text="con bác nhận được tiền rồi")
    assert finished["messages"][-1]["text"] == texts.FEEDBACK_ASK
    thanks = await chat(client, "r1", text="có ạ, dễ hiểu lắm")
    assert thanks["messages"][0]["text"] == texts.FEEDBACK_THANKS
    await walk_to(client, runtime, "r2", "payment_transfer", "receipt")
    await chat(client, "r2", text="Người nhận thấy tiền rồi")
    unclear = await chat(client, "r2", text="chưa rõ lắm")
    assert unclear["messages"][0]["text"] == texts.FEEDBACK_UNCLEAR
