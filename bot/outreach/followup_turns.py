"""The follow-ups' part in a turn, pure: the offer after a waiting step, "yes"/"no", "hủy
nhắc", "cháu sẽ hỏi lại bác những gì?", and the answer to a question sent (pressed or
typed), which continues where the flow's follow-up says (another guide, the team, the menu)
or asks once more later."""

from __future__ import annotations

import datetime as dt
import re

from bot.engine.catalog import Catalog
from bot.engine.messages import Button, Reply
from bot.flowspec.model import FollowUp, FollowUpAnswer
from bot.outreach import texts
from bot.outreach.rules import Rules
from bot.storage import followups as db
from bot.teams.hours import VIETNAM
from bot.text import fold
from bot.turn_contract import HookTurn

YES, NO = "fu:y:", "fu:n"
ANSWER = "fu:a:"
ANSWERS = ("done", "not_yet", "problem")
_CANCEL = {"huy nhac", "huy loi nhac", "thoi khong can nhac", "khong can nhac", "dung nhac",
           "thoi dung nhac", "khong can nhac nua", "huy nhac nho", "thoi khong can nhac nua"}
_LIST = re.compile(r"^(chau|em|ban)? ?se hoi lai (bac|toi|em|minh)? ?(nhung )?(gi|cai gi)"
                   r"|^(xem )?(cac )?loi nhac( cua (bac|toi))?$|^nhac (bac|toi) (nhung )?gi")
_TYPED = {"done": {"roi", "roi a", "da roi", "da nhan", "da nhan duoc", "nhan duoc roi",
                   "xong roi", "da xong", "co roi", "duoc roi", "dc roi", "r", "ok roi"},
          "not_yet": {"chua", "chua a", "chua nhan", "chua nhan duoc", "van chua", "chua co",
                      "chua xong", "chua dc"},
          "problem": {"co van de", "bi loi", "gap van de", "khong duoc", "ko duoc", "ko dc"}}


def _words(text: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text or "")).split())


def when(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m")


def offer(catalog: Catalog, flow_id: str | None, step_id: str | None, channel: str,
          view: db.FollowUpView | None) -> list[Reply]:
    """After a waiting step is shown: the offer, once (nothing when one is scheduled)."""
    compiled = catalog.get(flow_id) if flow_id else None
    step = compiled.steps.get(step_id or "") if compiled else None
    followup = step.followup if step is not None else None
    if followup is None or compiled is None or step is None:
        return []
    if view is not None and any((r.flow_id, r.step_id) == (flow_id, step_id)
                                for r in view.scheduled):
        return []
    days = followup.after_days
    if channel == "zalo" and days >= 7:  # past Zalo's 7-day window: never a paid message
        return [Reply(texts.FOLLOWUP_ZALO.format(days=days))]
    return [Reply(texts.FOLLOWUP_OFFER.format(days=days, ask=followup.ask), (
        Button(texts.FOLLOWUP_YES.format(days=days), f"{YES}{compiled.flow.id}.{step.id}"),
        Button(texts.FOLLOWUP_NO, NO)))]


def _followup(catalog: Catalog, flow_id: str, step_id: str) -> FollowUp | None:
    compiled = catalog.get(flow_id)
    step = compiled.steps.get(step_id) if compiled else None
    return step.followup if step is not None else None


def before(payload: str | None, text: str | None, view: db.FollowUpView, catalog: Catalog,
           unit: str | None, typed_answers: bool, rules: Rules, now: dt.datetime,
           back: tuple[Button, ...]) -> HookTurn | None:
    """A follow-up turn, or None when the message is about something else."""
    if payload is not None and payload.startswith(YES):
        flow_id, _, step_id = payload[len(YES):].partition(".")
        followup = _followup(catalog, flow_id, step_id)
        if followup is None:
            return None
        due = rules.release_time(now + dt.timedelta(days=followup.after_days))
        return HookTurn(
            replies=[Reply(texts.FOLLOWUP_SCHEDULED.format(when=when(due), ask=followup.ask),
                           back)],
            effects=[db.schedule_effect(flow_id, step_id, unit, followup.ask,
                                        followup.after_days, due, now)],
            events=[_event("followup_accepted", flow_id, step_id)])
    if payload == NO:
        return HookTurn(replies=[Reply(texts.FOLLOWUP_DECLINED, back)],
                        events=[_event("followup_declined", None, None)])
    words = _words(text) if payload is None else ""
    if words in _CANCEL:
        count = len(view.scheduled)
        reply = texts.FOLLOWUP_CANCELLED.format(count=count) if count else texts.FOLLOWUP_NONE
        return HookTurn(replies=[Reply(reply, back)], effects=[db.cancel_effect(now)] if count
                        else [])
    if words and _LIST.match(words):
        if not view.scheduled:
            return HookTurn(replies=[Reply(texts.FOLLOWUP_NONE, back)])
        lines = [texts.FOLLOWUP_LIST, *(texts.FOLLOWUP_ITEM.format(when=when(r.due_at),
                                                                   ask=r.ask)
                                        for r in view.scheduled), texts.FOLLOWUP_LIST_END]
        return HookTurn(replies=[Reply("\n".join(lines), back)])
    return _answer(payload, words, view, catalog, typed_answers, rules, now, back)


def _answer(payload: str | None, words: str, view: db.FollowUpView, catalog: Catalog,
            typed_answers: bool, rules: Rules, now: dt.datetime, back: tuple[Button, ...]
            ) -> HookTurn | None:
    row, answer = view.open, None
    if payload is not None and payload.startswith(ANSWER):
        number, _, answer = payload[len(ANSWER):].partition(":")
        if row is None or str(row.id) != number or answer not in ANSWERS:
            return None  # an old question's button: the engine says it is stale
    elif row is not None and typed_answers and words:
        answer = next((kind for kind, said in _TYPED.items() if words in said), None)
    if row is None or answer is None:
        return None
    followup = _followup(catalog, row.flow_id, row.step_id)
    target: FollowUpAnswer = (getattr(followup, answer) if followup is not None
                              else FollowUpAnswer(action="menu"))
    again = None
    if target.again and not row.asked_again:
        again = rules.release_time(now + dt.timedelta(days=row.after_days))
    elif target.again:  # asked twice already: the team
        target = FollowUpAnswer(action="handoff")
    done = HookTurn(effects=[db.answer_effect(row.id, answer, now, again)],
                    events=[_event("followup_answered", row.flow_id, row.step_id,
                                   answer=answer)])
    if again is not None:
        done.replies = [Reply(texts.FOLLOWUP_AGAIN.format(when=when(again)), back)]
        return done
    done.engine = True
    done.redirect = f"f:{target.flow}" if target.flow else (
        "c:stuck" if target.action == "handoff" else "c:menu")
    if target.flow is None and target.action == "menu":
        done.redirect = None
        done.engine = False
        done.replies = [Reply(texts.FOLLOWUP_THANKS, back)]
    return done


def _event(kind: str, flow_id: str | None, step_id: str | None, **data: str
           ) -> dict[str, object]:
    return {"kind": kind, "flow_id": flow_id, "step_id": step_id, "data": data}
