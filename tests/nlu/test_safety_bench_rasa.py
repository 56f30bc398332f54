"""The false-alarm benchmark with the real Rasa model (``bench safety --modes rasa``): every
turn's intent comes from the model (no keyword fallback), and the targets hold: at most 1%
alarms on ordinary messages, at least 97% of scams warned, no harm done on the tuned sets
left without its urgent step."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_runtime
from bench.safety import load_cases, run_cases, summarise
from bot.intents.rasa import RasaRecognizer
from bot.intents.rasa_server import RasaServer
from tests.conftest import settings_for, sqlite_url
from tests.nlu.helpers import until

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="session")]


async def test_the_safety_targets_hold_with_rasa(rasa_server: RasaServer,
                                                 tmp_path: Path) -> None:
    recognizer = RasaRecognizer(rasa_server.url, rasa_server.token, timeout=10.0)
    settings = settings_for(sqlite_url(tmp_path), rate_resident_per_minute=0,
                            rate_new_residents_per_hour=0)
    async with build_runtime(settings, recognizer=recognizer) as rt:
        await until(rt.recognizer.healthy, 30)
        report = summarise(await run_cases(rt, load_cases(), "rasa"), examples=50)
    await recognizer.aclose()
    assert set(report["nlu_sources"]) == {"rasa"}, report["nlu_sources"]
    every = report["all"]
    assert every["alarm_percent"] <= 1.0, report["failures"]
    assert every["scams_warned_percent"] >= 97.0, report["failures"]
    assert report["tuned"]["harm_missed"] == 0, report["failures"]
    assert report["tuned"]["harm_at_another_urgent_step"] == 0, report["failures"]
