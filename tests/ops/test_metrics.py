"""/metrics as a worker serves it (turns, latency, hand-offs, NLU state; loopback or token
only) and JSON logs (one masked object per line)."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from pathlib import Path

import httpx

from bot.app import build_runtime
from bot.logs import JsonFormatter, configure_logging
from bot.metrics import RATE_LIMITED, SEND_ERRORS
from bot.privacy import MaskingFilter
from bot.workers.background import TelegramSlot
from bot.workers.worker import build_app
from tests.conftest import EXAMPLE_COMMUNES, settings_for, sqlite_url
from tests.server import serving


def _value(body: str, sample: str) -> float:
    for line in body.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in /metrics")


async def test_metrics_count_turns_and_read_the_database(tmp_path: Path) -> None:
    settings = settings_for(sqlite_url(tmp_path), communes_dir=EXAMPLE_COMMUNES)
    async with build_runtime(settings) as runtime:
        app = build_app(runtime, TelegramSlot(runtime))
        async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
            before = (await client.get("/metrics")).text
            turns = 'digiguide_turns_total{channel="web",kind="button",outcome="ok"}'
            start = _value(before, turns) if turns in before else 0.0
            answer = (await client.post("/api/chat", json={"user": "m1", "text": "menu"})).json()
            await client.post("/api/chat", json={"user": "m1", "payload": "f:vneid_install"})
            await client.post("/api/chat", json={"user": "m1", "payload": "c:stuck"})
            SEND_ERRORS.labels("zalo", "http_500").inc()
            RATE_LIMITED.labels("web_chat").inc()
            reply = await client.get("/metrics")
            assert reply.status_code == 200 and answer["messages"]
            assert reply.headers["content-type"].startswith("text/plain")
            body = reply.text
            assert _value(body, turns) == start + 2
            text_turns = 'digiguide_turns_total{channel="web",kind="text",outcome="ok"}'
            assert _value(body, text_turns) >= 1
            assert _value(body, 'digiguide_turn_seconds_count{channel="web"}') >= 3
            assert 'digiguide_turn_seconds_bucket{channel="web",le="0.01"}' in body
            assert _value(body, "digiguide_handoffs_open") == 1.0
            assert "# TYPE digiguide_nlu_degraded gauge" in body
            errors = 'digiguide_send_errors_total{channel="zalo",reason="http_500"}'
            assert _value(body, errors) >= 1
            assert _value(body, 'digiguide_rate_limit_hits_total{scope="web_chat"}') >= 1

            proxied = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
            assert proxied.status_code == 403


async def test_metrics_token_is_required_when_set(tmp_path: Path) -> None:
    settings = dataclasses.replace(settings_for(sqlite_url(tmp_path)), metrics_token="t0ken")
    async with build_runtime(settings) as runtime:
        app = build_app(runtime, TelegramSlot(runtime))
        async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/metrics")).status_code == 403  # even from loopback
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 403
            right = await client.get("/metrics", headers={"Authorization": "Bearer t0ken"})
            assert right.status_code == 200 and "digiguide_turns" in right.text


def test_json_logs_are_one_masked_object_per_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(worker="2"))
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("tests.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("resident typed 0912345678 and mk: hunter2")
        try:
            raise ValueError("otp 123456 rejected for 079912345678")
        except ValueError:
            logger.exception("turn failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "WARNING" and first["worker"] == "2" and first["pid"] > 0
    assert "0912345678" not in first["message"] and "hunter2" not in first["message"]
    assert second["message"] == "turn failed" and "ValueError" in second["error"]
    assert "123456" not in second["error"] and "079912345678" not in second["error"]


def test_configure_logging_switches_to_json(capsys: object, monkeypatch: object) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure_logging("json")
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        assert any(isinstance(f, MaskingFilter) for f in root.handlers[0].filters)
        configure_logging("text", worker="1")
        assert not isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
