"""A ticket's life, as steps that run inside one transaction: open (route to a team), claim,
escalate, record a post's delivery or failure, close.

Each step writes the ticket's rows and the messages its change causes (group posts and edits,
private messages to members, notices to residents) in the same transaction, so either both
happen or neither does. Each returns who has new messages, for the caller to wake the senders
once the transaction has committed. The caller holds the ticket's row lock where it matters.
"""

from __future__ import annotations

import datetime as dt

from bot.engine.catalog import Catalog
from bot.engine.messages import Reply
from bot.privacy import mask
from bot.storage import teams as team_db
from bot.storage import tickets as tk
from bot.storage.outbox import NewMessage, insert_messages
from bot.storage.teams import MemberRow
from bot.storage.tickets import Ticket, Tx
from bot.teams import messages, texts
from bot.teams.directory import Directory, Team
from bot.teams.hours import when
from bot.teams.phones import mask_except_phones

Wake = list[tuple[str, str]]  # (channel, recipient) with new messages


def send(conn: Tx, rows: list[NewMessage], now: dt.datetime) -> Wake:
    if rows:
        insert_messages(conn, rows, now)
    return [(m.channel, m.recipient) for m in rows]


def due_for(team: Team, now: dt.datetime) -> dt.datetime:
    """When an unclaimed ticket leaves ``team``: its minutes counted from when it is next at
    work (a ticket posted at night escalates the next morning, not at night)."""
    return team.hours.next_open(now) + dt.timedelta(minutes=team.escalate_minutes)


def off_hours(team: Team, now: dt.datetime) -> str | None:
    if team.hours.is_open(now):
        return None
    return texts.OFF_HOURS.format(hours=team.hours.label(),
                                  when=when(team.hours.next_open(now), now))


def urgent(directory: Directory, unit_id: str | None) -> str:
    phones = directory.phones(unit_id)
    if not phones:
        return texts.GENERIC_HELP
    return texts.CALL.format(phones=messages.phones_text(phones))


def status_edits(conn: Tx, ticket_id: int, line: str) -> list[NewMessage]:
    return [messages.group_edit(p.chat, ticket_id, p.id, f"{p.text}\n\n{line}")
            for p in tk.posts(conn, ticket_id) if p.failed_at is None]


def notice(ticket: Ticket, text: str, now: dt.datetime) -> NewMessage:
    return messages.to_resident(ticket.channel, ticket.recipient, [Reply(text)], now)


# ------------------------------------------------------------------ open
def route(conn: Tx, directory: Directory, catalog: Catalog, *, resident_id: int, channel: str,
          recipient: str, unit_id: str | None, flow_id: str | None, step_id: str | None,
          history: tuple[str, ...], now: dt.datetime, existing: Ticket | None = None) -> Wake:
    """Open a ticket (or route one that waited for the resident's commune): to the nearest
    team with a linked group or console members, or recorded as ``no_team``. A team without
    a group has the ticket in its console inbox as soon as this transaction commits."""
    team = directory.route(unit_id)
    said = tk.recent_texts(conn, resident_id, messages.SAID_KEPT)
    found = messages.context(directory, catalog, unit_id=unit_id, channel=channel,
                             flow_id=flow_id, step_id=step_id, history=history, said=said,
                             opened=existing.opened_at if existing else now)
    values = {"unit_id": unit_id, "team_unit": team.unit.id if team else None,
              "context": found, "status": tk.OPEN if team else tk.NO_TEAM,
              "due_at": due_for(team, now) if team else None,
              "posted_at": now if team is not None and team.chat is None else None}
    if existing is not None:
        ticket_id = existing.id
        tk.change(conn, ticket_id, **values)
    else:
        ticket_id = tk.open_ticket(conn, now, resident_id=resident_id, channel=channel,
                                   recipient=recipient, flow_id=flow_id, step_id=step_id,
                                   **values)
    if team is None:
        tk.drop_party(conn, channel, recipient)
        tk.settle_requests(conn, resident_id)
        tk.add_message(conn, ticket_id, "system", "no team linked", now)
        return []
    tk.set_party(conn, channel, recipient, "resident", "waiting", ticket_id, now)
    if team.chat is None:
        tk.add_message(conn, ticket_id, "system", f"in the console of {team.unit.id}", now)
        return []
    text = messages.post_text(ticket_id, found)
    post_id = tk.add_post(conn, ticket_id, team.unit.id, team.chat, "new", text, now)
    tk.add_message(conn, ticket_id, "system", f"sent to {team.unit.id}", now)
    return send(conn, [messages.group_post(team.chat, ticket_id, post_id, text,
                                           silent=not team.hours.is_open(now))], now)


def ask(conn: Tx, *, resident_id: int, channel: str, recipient: str, flow_id: str | None,
        step_id: str | None, history: tuple[str, ...], now: dt.datetime) -> None:
    """A ticket that waits for the resident to name their commune (the way they walked in
    the guide kept for the context, built once the team is known)."""
    ticket_id = tk.open_ticket(conn, now, resident_id=resident_id, channel=channel,
                               recipient=recipient, flow_id=flow_id, step_id=step_id,
                               context={"history": list(history)}, status=tk.ASKING)
    tk.set_party(conn, channel, recipient, "resident", "asking", ticket_id, now)


# ------------------------------------------------------------------ claim
def claim(conn: Tx, directory: Directory, ticket: Ticket, member: MemberRow,
          now: dt.datetime) -> Wake | None:
    """The member's claim, or None when someone else's came first."""
    if not tk.claim(conn, ticket.id, member.id, member.name, now):
        return None
    unit = directory.get(member.unit_id)
    team = directory.team(unit).name if unit is not None else "tổ"
    tk.set_party(conn, ticket.channel, ticket.recipient, "resident", "relay", ticket.id, now)
    rows = status_edits(conn, ticket.id, texts.POST_CLAIMED.format(
        member=member.name, time=messages.clock(now)))
    if member.telegram_user is not None:
        tk.set_party(conn, messages.GROUP_CHANNEL, str(member.telegram_user), "member",
                     "member", ticket.id, now)
        rows.append(messages.to_member(member.telegram_user, texts.MEMBER_CLAIMED.format(
            id=ticket.id, context=messages.context_text(ticket.context), member=member.name),
            ticket.id))
    rows.append(messages.to_resident(ticket.channel, ticket.recipient, [Reply(
        texts.CLAIMED.format(member=member.name, team=team),
        messages.leave_buttons(with_phone=True))], now))
    tk.add_message(conn, ticket.id, "system", "claimed", now, member.id)
    return send(conn, rows, now)


# ------------------------------------------------------------------ a member's words
def to_resident(conn: Tx, ticket: Ticket, member_id: int | None, text: str, now: dt.datetime
                ) -> Wake:
    """A member's message to the resident: phone numbers kept, every other secret masked
    (stored fully masked)."""
    tk.add_message(conn, ticket.id, "member", mask(text), now, member_id)
    tk.touch_party(conn, ticket.channel, ticket.recipient, ticket.id, now)
    member = ticket.claimed_name or "Người của tổ"
    return send(conn, [messages.to_resident(
        ticket.channel, ticket.recipient,
        [Reply(texts.FROM_MEMBER.format(member=member, text=mask_except_phones(text)),
               messages.leave_buttons(with_phone=ticket.phone_shared_at is None))], now)], now)


# ------------------------------------------------------------------ close
def close(conn: Tx, ticket: Ticket, reason: str, now: dt.datetime) -> Wake:
    """Close for good: ``member`` / ``console`` (the resident is asked whether it was
    solved), ``resident`` (they went back to the assistant: the member is told), ``idle``
    (nothing was said for a day, and the resident wrote again: the member is told) or
    ``abandoned`` (the resident never named their commune)."""
    tk.change(conn, ticket.id, status=tk.CLOSED, closed_at=now, close_reason=reason,
              due_at=None)
    tk.drop_party(conn, ticket.channel, ticket.recipient, ticket.id)
    tk.settle_requests(conn, ticket.resident_id)
    name = ticket.claimed_name or "Tổ"
    lines = {"resident": texts.POST_LEFT, "idle": texts.POST_IDLE}
    line = lines.get(reason, texts.POST_CLOSED).format(time=messages.clock(now), member=name)
    rows = status_edits(conn, ticket.id, line) if reason != "abandoned" else []
    claimer = team_db.member(conn, ticket.claimed_by) if ticket.claimed_by else None
    if claimer is not None and claimer.telegram_user is not None:
        who = str(claimer.telegram_user)
        tk.drop_party(conn, messages.GROUP_CHANNEL, who, ticket.id)
        if reason in ("resident", "idle"):
            told = texts.RESIDENT_LEFT if reason == "resident" else texts.IDLE_CLOSED
            rows.append(messages.to_member(claimer.telegram_user, told.format(id=ticket.id),
                                           ticket.id, done_button=False))
        others = [t for t in tk.claimed_by(conn, claimer.id) if t != ticket.id]
        if others and tk.party(conn, messages.GROUP_CHANNEL, who) is None:
            tk.set_party(conn, messages.GROUP_CHANNEL, who, "member", "member", others[0], now)
            rows.append(messages.to_member(claimer.telegram_user,
                                           texts.NOW_ON.format(id=others[0]), others[0]))
    if reason in ("member", "console") and ticket.status == tk.CLAIMED:
        rows.append(messages.to_resident(ticket.channel, ticket.recipient, [Reply(
            texts.CLOSED_BY_MEMBER.format(member=name), messages.solved_buttons(ticket.id))],
            now))
    elif reason == "console":  # nobody had taken it: the resident must not wait on
        rows.append(notice(ticket, texts.CLOSED_UNCLAIMED, now))
    tk.add_message(conn, ticket.id, "system", f"closed: {reason}", now)
    return send(conn, rows, now)


# ------------------------------------------------------------------ escalate
def escalate(conn: Tx, directory: Directory, ticket: Ticket, now: dt.datetime) -> Wake:
    """Nobody claimed in time: post to the escalation target's group; with none left, tell
    the resident honestly and stop the timer (the ticket stays claimable)."""
    posted = {p.unit_id for p in tk.posts(conn, ticket.id)}
    current = directory.get(ticket.team_unit)
    target = directory.escalation(current.id, skip=posted) if current is not None else None
    if target is None:
        tk.change(conn, ticket.id, due_at=None)
        text = f"{texts.NOBODY_YET}\n{urgent(directory, ticket.unit_id or ticket.team_unit)}"
        return send(conn, [notice(ticket, text, now)], now)
    old = directory.team(current) if current is not None else None
    if target.chat is None:  # a team without a group: its console inbox has it at once
        tk.change(conn, ticket.id, team_unit=target.unit.id,
                  escalations=ticket.escalations + 1, due_at=due_for(target, now))
        tk.add_message(conn, ticket.id, "system", f"escalated to {target.unit.id}", now)
        said = texts.ESCALATED.format(old=old.name if old else "tổ trước", team=target.name)
        return send(conn, [notice(ticket, said, now)], now)
    text = messages.post_text(ticket.id, ticket.context,
                              escalated_from=old.name if old else "tổ trước",
                              minutes=old.escalate_minutes if old else 0)
    post_id = tk.add_post(conn, ticket.id, target.unit.id, target.chat, "escalated", text, now)
    tk.change(conn, ticket.id, team_unit=target.unit.id, escalations=ticket.escalations + 1,
              due_at=due_for(target, now))
    tk.add_message(conn, ticket.id, "system", f"escalated to {target.unit.id}", now)
    return send(conn, [messages.group_post(target.chat, ticket.id, post_id, text,
                                           silent=not target.hours.is_open(now))], now)


# ------------------------------------------------------------------ delivery of posts
def posted(conn: Tx, directory: Directory, post_id: int, message_id: int | None,
           now: dt.datetime) -> Wake:
    """A group post arrived: now, and only now, the resident is told the team has it."""
    if not tk.mark_posted(conn, post_id, message_id, now):
        return []
    post = tk.post(conn, post_id)
    ticket = tk.ticket(conn, post.ticket_id, lock=True) if post is not None else None
    if post is None or ticket is None:
        return []
    if ticket.posted_at is None:
        tk.change(conn, ticket.id, posted_at=now)
    if ticket.status != tk.OPEN:
        return []
    unit = directory.get(post.unit_id)
    if unit is None:
        return []
    team = directory.team(unit)
    if post.kind == "escalated":
        earlier = [p for p in tk.posts(conn, ticket.id) if p.id < post.id]
        delivered = [p for p in earlier if p.posted_at is not None]
        old = directory.get(delivered[-1].unit_id) if delivered else None
        text = (texts.ESCALATED.format(old=directory.team(old).name, team=team.name)
                if old is not None else texts.FORWARDED.format(team=team.name))
    elif team.hours.is_open(now):
        text = texts.POSTED.format(team=team.name)
    else:
        text = texts.POSTED_OFF_HOURS.format(team=team.name, hours=team.hours.label(),
                                             when=when(team.hours.next_open(now), now))
    return send(conn, [notice(ticket, text, now)], now)


def failed(conn: Tx, directory: Directory, post_id: int, now: dt.datetime) -> Wake:
    """A group post could not be delivered: the resident is told so, with the phone numbers,
    and the ticket escalates at once."""
    if not tk.mark_failed(conn, post_id, now):
        return []
    post = tk.post(conn, post_id)
    ticket = tk.ticket(conn, post.ticket_id, lock=True) if post is not None else None
    if post is None or ticket is None or ticket.status != tk.OPEN:
        return []
    tk.change(conn, ticket.id, due_at=now)
    unit = directory.get(post.unit_id)
    team = directory.team(unit).name if unit is not None else "tổ"
    text = (f"{texts.NOT_DELIVERED.format(team=team)}\n"
            f"{urgent(directory, ticket.unit_id or post.unit_id)}")
    return send(conn, [notice(ticket, text, now)], now)
