""""Bác ở xã/phường nào?" (after 🆘 when the commune is unknown) answered with something else:
safety comes first, a secret gets the 🔒 warning, a second call for help keeps the question,
and the resident is told what was done with an answer the question could not use."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.engine import texts as engine_texts
from bot.teams import texts
from tests.teams.conftest import MORNING, Scene, joined, scene
from tests.telegram.fake_api import FakeBotAPI


async def _asked(s: Scene, user: str) -> None:
    await s.web(user, text="/start vneid_install")
    asked = await s.web(user, payload="c:stuck")
    assert texts.ASK_UNIT in joined(asked)


async def test_a_scam_at_the_commune_question_is_answered_first(
        database_url: str, fake_api: FakeBotAPI) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await _asked(s, "w1")
        answer = await s.web("w1", text="bac bi lua mat 20 trieu roi")
        said = [m["text"] for m in answer]
        assert said[0] == engine_texts.SCAM_WARNINGS["money_lost"]  # safety advice first
        assert "Cháu chưa tìm thấy xã/phường" not in joined(answer)
        assert texts.UNIT_SKIPPED_URGENT in said[-1]
        # What became of the ticket, said as it is (no team for an unknown commune here).
        assert "chưa chuyển được câu hỏi của bác cho người thật" in said[-1]
        status = await s.sql("SELECT status FROM tickets")
        assert [row[0] for row in status] != ["asking"]
        # The next message is the scam guide's, not read as a commune's name.
        after = await s.web("w1", payload="c:resume")
        assert "Cháu chưa tìm thấy" not in joined(after)


async def test_a_secret_at_the_commune_question_gets_the_lock_warning(
        database_url: str, fake_api: FakeBotAPI) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await _asked(s, "w2")
        answer = await s.web("w2", text="ma otp 482913")
        assert answer[0]["text"] == engine_texts.SAFETY_WARNING
        assert texts.ASK_UNIT_AGAIN in joined(answer)
        assert "482913" not in joined(answer)
        named = await s.web("w2", text="yen binh")
        assert "Xã Yên Bình" in joined(named)


async def test_asking_again_for_a_person_keeps_the_question(
        database_url: str, fake_api: FakeBotAPI) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await _asked(s, "w3")
        answer = await s.web("w3", text="toi bi ket")
        assert joined(answer) == texts.HANDOFF_WAITS_UNIT
        unknown = await s.web("w3", text="xom trai")
        assert "Cháu chưa tìm thấy xã/phường «xom trai»" in joined(unknown)
