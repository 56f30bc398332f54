"""A resident's conversation on Telegram: menu, free text, buttons, deep links, odd input,
groups and failures, through PTB's real HTTP stack against the fake Bot API."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.channels.telegram import TelegramChannel
from tests.telegram.conftest import feed
from tests.telegram.fake_api import Call, FakeBotAPI
from tests.telegram.updates import GROUP, NEIGHBOUR, RESIDENT, Updates


def keyboard_of(call: Call) -> list[list[dict[str, Any]]]:
    markup = call.params.get("reply_markup") or {}
    rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
    return rows


def data_of(call: Call, label_start: str) -> str:
    for row in keyboard_of(call):
        for button in row:
            if button["text"].startswith(label_start):
                return str(button["callback_data"])
    raise AssertionError(f"no button {label_start!r} in {keyboard_of(call)}")


async def press(
    channel: TelegramChannel, updates: Updates, call: Call, label_start: str
) -> dict[str, Any]:
    update = updates.button(data_of(call, label_start), call.result)
    await feed(channel, update)
    return update


async def test_start_greets_with_the_menu_as_inline_buttons(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    await feed(channel, updates.text("/start"))
    [greeting] = fake_api.sent()
    assert greeting.params["chat_id"] == str(RESIDENT["id"])
    assert "Cháu chào bác" in greeting.params["text"]
    assert greeting.params["parse_mode"] == "HTML"
    buttons = [b for row in keyboard_of(greeting) for b in row]
    assert any(b["text"].startswith("🪪") for b in buttons)
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert all(len(row) <= 2 for row in keyboard_of(greeting))


async def test_button_press_answers_clears_the_keyboard_and_shows_the_next_step(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    await feed(channel, updates.text("/menu"))
    menu = fake_api.sent()[-1]
    pressed = await press(channel, updates, menu, "🪪")
    [answered] = fake_api.made("answerCallbackQuery")
    assert answered.params["callback_query_id"] == pressed["callback_query"]["id"]
    [edited] = fake_api.made("editMessageReplyMarkup")
    assert edited.params["message_id"] == str(menu.result["message_id"])
    assert "reply_markup" not in edited.params  # keyboard removed
    group = fake_api.sent()[-1]
    await press(channel, updates, group, "Cài")
    step = fake_api.sent()[-1]
    assert "<b>Bước 1/" in step.params["text"]


async def test_free_text_is_routed_by_the_nlu_into_the_guide(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    await feed(channel, updates.text("cai vneid the nao"))
    step = fake_api.sent()[-1]
    assert "<b>Bước 1/" in step.params["text"]


async def test_deep_link_opens_the_guide(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    await feed(channel, updates.text("/start vneid_install"))
    first = fake_api.sent()[-1]
    assert "<b>Bước 1/" in first.params["text"]
    await press(channel, updates, first, "✅")
    second = fake_api.sent()[-1]
    assert "<b>Bước 2/" in second.params["text"]
    assert data_of(second, "Android").startswith("s:vneid_install.")


async def test_a_button_from_an_old_message_shows_the_current_step(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    await feed(channel, updates.text("/start vneid_install"))
    first = fake_api.sent()[-1]
    await press(channel, updates, first, "✅")
    await press(channel, updates, first, "✅")  # the same, old button again
    texts = [c.params["text"] for c in fake_api.sent()[2:]]
    assert any("tin nhắn cũ" in t for t in texts)
    assert "<b>Bước 2/" in texts[-1]
    assert not any("Bước 3/" in t for t in texts)


@pytest.mark.parametrize("kind", ["sticker", "voice", "location"])
async def test_input_the_bot_cannot_read_gets_a_helpful_answer(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, kind: str
) -> None:
    await feed(channel, updates.text("/start vneid_install"))
    await feed(channel, getattr(updates, kind)())
    reply = fake_api.sent()[-1]
    assert "chỉ đọc được chữ" in reply.params["text"]
    assert "gõ" in reply.params["text"]  # suggests typing instead (voice notes)
    assert data_of(reply, "✅").startswith("n:vneid_install.")  # and the step's buttons


async def test_an_update_delivered_twice_is_answered_once(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    await feed(channel, updates.text("/start vneid_install"))
    press_update = updates.button(data_of(fake_api.sent()[-1], "✅"), fake_api.sent()[-1].result)
    await feed(channel, press_update)
    await feed(channel, press_update)
    assert len(fake_api.sent()) == 2
    assert "<b>Bước 2/" in fake_api.sent()[-1].params["text"]


async def test_in_groups_the_bot_answers_only_when_addressed(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    await feed(channel, updates.text("cai vneid the nao", chat=GROUP))
    await feed(channel, updates.sticker(chat=GROUP))
    await feed(channel, updates.text("/menu@other_bot", chat=GROUP))
    await feed(channel, updates.text("📘 Cài ứng dụng VNeID", chat=GROUP, via_bot=True))
    await feed(channel, updates.text("📘 Cài ứng dụng VNeID", via_bot=True))  # a shared card
    assert fake_api.sent() == []
    await feed(channel, updates.text("@digiguide_test_bot cai vneid the nao", chat=GROUP))
    await feed(channel, updates.text("/menu@digiguide_test_bot", chat=GROUP, user=NEIGHBOUR))
    await feed(channel, updates.text("quay lai", chat=GROUP, reply_to_bot=True))
    sent = fake_api.sent()
    assert {c.params["chat_id"] for c in sent} == {str(GROUP["id"])}
    assert "<b>Bước 1/" in sent[0].params["text"]
    assert "chọn một mục" in sent[1].params["text"]
    assert "bước đầu tiên" in sent[2].params["text"]


async def test_a_failure_gets_an_apology_and_a_log_without_the_residents_words(
    channel: TelegramChannel,
    fake_api: FakeBotAPI,
    updates: Updates,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_api.fail("sendMessage", 500, "Internal Server Error")
    with caplog.at_level(logging.INFO):
        await feed(channel, updates.text("cai vneid, sdt cua toi 0912 345 678"))
    [apology] = fake_api.sent()
    assert apology.params["text"].startswith("Xin lỗi bác, cháu đang gặp trục trặc")
    assert "failed" in caplog.text
    assert "0912" not in caplog.text and "sdt cua toi" not in caplog.text
