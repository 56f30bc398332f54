"""The chat API end to end: a real server, real SQLite, the real flows."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.web.app import create_app
from bot.storage.tables import events
from tests.server import serving


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.service, runtime.health)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        yield http


async def chat(client: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
    response = await client.post("/api/chat", json={"user": "r1", **body})
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def payload_of(messages: list[dict[str, Any]], label_start: str) -> str:
    for message in messages:
        for button in message["buttons"]:
            if button["label"].startswith(label_start):
                return str(button["payload"])
    raise AssertionError(f"no button {label_start!r} in {messages}")


async def test_health_reports_database_and_nlu(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["nlu"] == "ok"


async def test_menu_to_vneid_guide_with_progress(client: httpx.AsyncClient) -> None:
    greeting = await chat(client, text="/start")
    group = await chat(client, payload=payload_of(greeting, "🪪"))
    first = await chat(client, payload=payload_of(group, "Cài"))
    assert "Bước 1/" in first[0]["text"]
    second = await chat(client, payload=payload_of(first, "✅"))
    assert "Bước 2/" in second[0]["text"]
    labels = [b["label"] for b in second[0]["buttons"]]
    assert "⬅️ Quay lại" in labels and "🆘 Tôi bị kẹt" in labels and "🏠 Menu" in labels


async def test_free_text_opens_the_guide(client: httpx.AsyncClient) -> None:
    messages = await chat(client, text="cai vneid the nao")
    assert "Bước 1/" in messages[0]["text"]


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", b'"text"', b'{"text": "hi"}', b'{"user": "", "text": "hi"}',
    b'{"user": "u", "text": 5}', b'{"user": "u"}', b'{"user": true, "text": "x"}',
    json.dumps({"user": "u" * 65, "text": "x"}).encode(),
])
async def test_malformed_requests_get_a_json_4xx(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/api/chat", content=body,
                                 headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


@pytest.mark.parametrize("text", ["", "   ", "x" * 5000, "😀🙏👍", "<b>hi</b><script>1</script>",
                                  "\x00\x01", "ﾃｽﾄ"])
async def test_odd_text_gets_a_friendly_answer(client: httpx.AsyncClient, text: str) -> None:
    messages = await chat(client, text=text)
    assert messages and all(m["text"] for m in messages)
    assert all("<script>" not in m["text"] for m in messages)


async def test_unknown_payload_is_answered(client: httpx.AsyncClient) -> None:
    messages = await chat(client, payload="s:nope.nope.1")
    assert messages[0]["buttons"]


async def test_walk_the_vneid_guide_to_the_end_and_give_feedback(
        client: httpx.AsyncClient, runtime: Runtime) -> None:
    messages = await chat(client, text="/start vneid_install")
    seen_numbers = []
    for _ in range(40):
        texts = " ".join(m["text"] for m in messages)
        if "👍 Hữu ích" in [b["label"] for m in messages for b in m["buttons"]]:
            break
        if "**Bước" in messages[0]["text"]:
            seen_numbers.append(messages[0]["text"].split("**")[1])
        step_buttons = [b["payload"] for m in messages for b in m["buttons"]
                        if b["payload"].startswith(("n:", "s:"))]
        forward = next((p for p in step_buttons if p.startswith("n:")), step_buttons[0])
        messages = await chat(client, payload=forward)
    else:
        raise AssertionError(f"the guide never ended; last: {texts[:200]}")
    assert seen_numbers[0].startswith("Bước 1/") and len(seen_numbers) >= 5
    thanks = await chat(client, payload=payload_of(messages, "👍"))
    assert "Cảm ơn" in thanks[0]["text"]
    async with runtime.database.engine.connect() as conn:
        stored = (await conn.execute(select(events.c.flow_id, events.c.data).where(
            events.c.kind == "feedback"))).all()
    assert [tuple(row) for row in stored] == [("vneid_install", {"verdict": "useful"})]


async def test_step_images_are_served(runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "vneid").mkdir()
    (tmp_path / "vneid" / "store.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    app = create_app(runtime.service, runtime.health, images_dir=tmp_path)
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as http:
        found = await http.get("/images/vneid/store.png")
        missing = await http.get("/images/nope.png")
        escape = await http.get("/images/../../etc/passwd")
    assert found.status_code == 200 and found.content.startswith(b"\x89PNG")
    assert missing.status_code == 404 and escape.status_code == 404


async def test_a_retried_message_is_applied_once(client: httpx.AsyncClient,
                                                  runtime: Runtime) -> None:
    """The page retries with the message's id: a copy the server already handled is dropped."""
    async def stored_events() -> int:
        async with runtime.database.engine.connect() as conn:
            return len((await conn.execute(select(events.c.id))).all())

    first = await chat(client, text="/start vneid_install", id="m-1")
    assert "Bước 1/" in first[0]["text"]
    before = await stored_events()
    assert await chat(client, text="/start vneid_install", id="m-1") == []
    assert await stored_events() == before
    again = await chat(client, text="/start vneid_install", id="m-2")
    assert "Bước 1/" in again[0]["text"]
    other = await client.post("/api/chat", json={"user": "r2", "text": "/start", "id": "m-1"})
    assert other.json()["messages"]  # ids are per resident


@pytest.mark.parametrize("message_id", [5, "", "x" * 65, ["m"]])
async def test_a_bad_message_id_gets_a_4xx(client: httpx.AsyncClient, message_id: object) -> None:
    response = await client.post("/api/chat", json={"user": "u", "text": "hi", "id": message_id})
    assert response.status_code == 400 and "`id`" in response.json()["error"]
