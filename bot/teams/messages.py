"""The hand-off's messages as outbox rows: ticket posts and their edits in team groups, private
messages to members, notices to residents on their own channel.

Bodies are the outbox's channel-neutral replies (``{"replies": [...]}``); a group post adds
``"post": <post id>`` (the Telegram sender reports its delivery back, so the resident is told
only then) and an edit names the post it changes (``"edit": <post id>``). Messages to teams
name their ``"ticket"``, so erasing a resident's data finds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.engine.catalog import Catalog
from bot.engine.messages import Button, Reply
from bot.engine.render import fill, progress_label
from bot.outbox.replies import replies_body
from bot.storage.outbox import NewMessage
from bot.teams import texts
from bot.teams.directory import Directory
from bot.teams.hours import VIETNAM

GROUP_CHANNEL = "telegram"  # team groups and members' private chats are on Telegram
WEB_KEEP = dt.timedelta(days=30)  # a web resident's notices wait this long to be fetched
STEP_EXCERPT = 160
SAID_KEPT = 5

CLAIM_PREFIX, CLOSE_PREFIX = "tk:c:", "tk:x:"
LEAVE, PHONE, SKIP = "t:leave", "t:phone", "t:skip"


def clock(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M")


def solved_payload(ticket_id: int, solved: bool) -> str:
    return f"t:{'ok' if solved else 'no'}:{ticket_id}"


def unit_payload(unit_id: str) -> str:
    return f"t:u:{unit_id}"


# ------------------------------------------------------------------ ticket context
def context(directory: Directory, catalog: Catalog, *, unit_id: str | None, channel: str,
            flow_id: str | None, step_id: str | None, history: Sequence[str],
            said: Sequence[str], opened: dt.datetime) -> dict[str, Any]:
    """What members see of a ticket (stored with it): place, channel, guide and step, and
    what the resident typed last, already masked."""
    found: dict[str, Any] = {"place": directory.label(unit_id),
                             "channel": texts.CHANNELS.get(channel, channel),
                             "said": [s[:200] for s in said[-SAID_KEPT:]],
                             "opened": clock(opened)}
    compiled = catalog.get(flow_id)
    if compiled is not None and step_id in compiled.steps:
        step = fill(compiled.steps[step_id].text, directory.places(unit_id))
        line = " ".join(step.split())
        found.update(title=compiled.flow.title,
                     progress=progress_label(compiled, step_id, tuple(history)),
                     step=line[:STEP_EXCERPT] + ("…" if len(line) > STEP_EXCERPT else ""))
    return found


def context_text(found: dict[str, Any]) -> str:
    lines = [texts.CONTEXT_PLACE.format(place=found.get("place", ""),
                                        channel=found.get("channel", ""))]
    if found.get("title"):
        progress = str(found.get("progress", "")).replace("**", "")
        lines.append(texts.CONTEXT_GUIDE.format(title=found["title"], progress=progress,
                                                step=found.get("step", "")))
    else:
        lines.append(texts.CONTEXT_NO_GUIDE)
    said = [s for s in found.get("said", []) if isinstance(s, str)]
    if said:
        lines.append(texts.CONTEXT_SAID)
        lines += [f" • {s}" for s in said]
    lines.append(texts.CONTEXT_OPENED.format(time=found.get("opened", "")))
    return "\n".join(lines)


def post_text(ticket_id: int, found: dict[str, Any], *, escalated_from: str | None = None,
              minutes: int = 0) -> str:
    if escalated_from is None:
        return texts.POST.format(id=ticket_id, context=context_text(found))
    return texts.POST_ESCALATED.format(id=ticket_id, old=escalated_from, minutes=minutes,
                                       context=context_text(found))


# ------------------------------------------------------------------ outbox rows
def group_post(chat: int, ticket_id: int, post_id: int, text: str, *, silent: bool
               ) -> NewMessage:
    claim = Button(texts.CLAIM, f"{CLAIM_PREFIX}{ticket_id}")
    body = replies_body([Reply(text, (claim,))], post=post_id, silent=silent,
                        ticket=ticket_id)
    return NewMessage(GROUP_CHANNEL, str(chat), body)


def group_edit(chat: int, ticket_id: int, post_id: int, text: str) -> NewMessage:
    """The post's text with the ticket's news, and no button any more."""
    return NewMessage(GROUP_CHANNEL, str(chat), replies_body([Reply(text)], edit=post_id,
                                                             ticket=ticket_id))


def to_member(telegram_user: int, text: str, ticket_id: int, *, done_button: bool = True
              ) -> NewMessage:
    buttons = (Button(texts.DONE, f"{CLOSE_PREFIX}{ticket_id}"),) if done_button else ()
    return NewMessage(GROUP_CHANNEL, str(telegram_user),
                      replies_body([Reply(text, buttons)], ticket=ticket_id))


def to_resident(channel: str, recipient: str, replies: Sequence[Reply], now: dt.datetime
                ) -> NewMessage:
    expires = now + WEB_KEEP if channel == "web" else None
    return NewMessage(channel, recipient, replies_body(replies), expires_at=expires)


def leave_buttons(with_phone: bool = False) -> tuple[Button, ...]:
    phone = (Button(texts.SHARE_PHONE, PHONE),) if with_phone else ()
    return (Button(texts.LEAVE, LEAVE), *phone)


def solved_buttons(ticket_id: int) -> tuple[Button, ...]:
    return (Button(texts.SOLVED, solved_payload(ticket_id, True)),
            Button(texts.UNSOLVED, solved_payload(ticket_id, False)))


def phones_text(phones: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"• {name}: {phone}" for name, phone in phones)
