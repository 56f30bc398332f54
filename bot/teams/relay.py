"""While a ticket is claimed: the resident's messages go to the member (their private chat with
the bot), the member's to the resident (on the resident's own channel), each side told who is
talking. Either side ends it; the resident is then asked whether it was solved and offered
their guide back at the step they were on.

Relayed text is masked like stored text: OTPs, passwords, card and ID numbers never cross
(the sender is warned). A resident's phone number crosses only right after they pressed
"📞 Gửi số điện thoại" (the consent is recorded on the ticket); a member's phone numbers do
cross (they give residents numbers to call).
"""

from __future__ import annotations

from bot import safety
from bot.engine.catalog import Catalog
from bot.engine.messages import Button, Reply
from bot.engine.render import CONTINUE_BUTTON, MENU_BUTTON, STUCK_BUTTON, progress_label
from bot.engine.state import SessionState
from bot.engine.texts import SCAM_WARNINGS
from bot.privacy import Sensitive, mask, sensitive_kinds
from bot.storage import tickets as tk
from bot.storage.tickets import Ticket, Tx
from bot.teams import lifecycle, messages, texts
from bot.teams.lifecycle import Wake
from bot.teams.phones import find_phones
from bot.teams.view import Ctx
from bot.text import fold
from bot.turn_contract import HookTurn

LEAVE_WORDS = {"quay lai tro ly", "ve tro ly", "tro ly", "troly", "quay ve tro ly"}
DONE_COMMANDS = {"/xong", "/done"}
SECRETS = {Sensitive.otp, Sensitive.password, Sensitive.card, Sensitive.id_number}
NON_TEXT = "[người dân gửi {kind}, trợ lý chỉ chuyển được chữ]"
TEXT_ONLY = "Cháu chỉ chuyển được chữ cho {member} thôi ạ. Bác gõ giúp cháu nhé."


def _claimed(ticket: Ticket | None) -> bool:
    return ticket is not None and ticket.status == tk.CLAIMED


def stale(ctx: Ctx) -> HookTurn:
    """The party row outlived its ticket: forget it, and let the engine answer."""
    message = ctx.message

    def forget(conn: Tx, _: int) -> None:
        tk.drop_party(conn, message.channel, message.user_id)

    return ctx.turn([], forget, engine=True)


# ------------------------------------------------------------------ resident -> member
def from_resident(ctx: Ctx, text: str | None, unsupported: str | None) -> HookTurn:
    ticket, claimer, party = ctx.view.ticket, ctx.view.claimer, ctx.view.party
    if ticket is None or party is None or not _claimed(ticket) or claimer is None:
        return stale(ctx)
    if text and fold(text) in LEAVE_WORDS:
        return leave(ctx)
    member = ticket.claimed_name or claimer.name
    if text and text.startswith("/"):  # a command (the page reloading sends /start): kept here
        unit = ctx.directory.get(claimer.unit_id)
        team = ctx.directory.team(unit).name if unit is not None else "tổ"
        return ctx.turn([Reply(texts.ALREADY_TALKING.format(member=member, team=team),
                               messages.leave_buttons(with_phone=True))])
    replies: list[Reply] = []
    scam = safety.check(text) if text else None
    if scam is not None and scam.main is not None:  # safety advice first, then the relay
        replies.append(Reply(SCAM_WARNINGS[scam.main.value], messages.leave_buttons()))
    if text is None:
        relayed = NON_TEXT.format(kind=unsupported or "tin")
        replies.append(Reply(TEXT_ONLY.format(member=member), messages.leave_buttons()))
    else:
        relayed = mask(text)
        if sensitive_kinds(text) & SECRETS:
            replies.append(Reply(texts.SECRET_HELD.format(member=member),
                                 messages.leave_buttons()))
    phones = find_phones(text) if party.phone_consent and text else []
    if party.phone_consent:
        replies.append(Reply((texts.PHONE_SENT if phones else texts.PHONE_MISSING).format(
            member=member), messages.leave_buttons(with_phone=not phones)))
    notes = [texts.FROM_RESIDENT.format(id=ticket.id, text=relayed)]
    if phones:
        notes.append(texts.PHONE_TO_MEMBER.format(phones=", ".join(phones)))

    def relay(conn: Tx, _: int) -> Wake:
        tk.add_message(conn, ticket.id, "resident", relayed, ctx.now)
        tk.touch_party(conn, party.channel, party.party, ticket.id, ctx.now)
        if party.phone_consent:
            tk.set_consent(conn, party.channel, party.party, False)
        if phones:
            tk.change(conn, ticket.id, phone_shared_at=ctx.now)
            tk.add_message(conn, ticket.id, "system", "phone shared with consent", ctx.now)
        if claimer.telegram_user is None:
            return []
        return lifecycle.send(conn, [messages.to_member(claimer.telegram_user, "\n".join(notes),
                                                        ticket.id)], ctx.now)

    return ctx.turn(replies, relay, event="relay_in", ticket=ticket.id)


def expire(ctx: Ctx) -> HookTurn:
    """A day without a word, and the resident writes: the conversation ends (the member is
    told) and the assistant answers what they wrote."""
    ticket = ctx.view.ticket
    if ticket is None or not _claimed(ticket):
        return stale(ctx)

    def close(conn: Tx, _: int) -> Wake:
        return lifecycle.close(conn, ticket, "idle", ctx.now)

    member = ticket.claimed_name or "người của tổ"
    return ctx.turn([Reply(texts.IDLE_ENDED.format(member=member))], close, engine=True)


def consent(ctx: Ctx) -> HookTurn:
    ticket, party = ctx.view.ticket, ctx.view.party
    if party is None or party.mode != "relay" or not _claimed(ticket) or ticket is None:
        return old_button(ctx)

    def arm(conn: Tx, _: int) -> None:
        tk.set_consent(conn, party.channel, party.party, True)

    member = ticket.claimed_name or "người của tổ"
    return ctx.turn([Reply(texts.PHONE_ASK.format(member=member), messages.leave_buttons())],
                    arm, event="phone_consent", ticket=ticket.id)


def leave(ctx: Ctx) -> HookTurn:
    """"Quay lại trợ lý": the ticket ends, the member is told, the resident asked."""
    ticket, party = ctx.view.ticket, ctx.view.party
    if party is None or party.role != "resident" or ticket is None or \
            ticket.status not in (tk.OPEN, tk.CLAIMED):
        return old_button(ctx)

    def close(conn: Tx, _: int) -> Wake:
        return lifecycle.close(conn, ticket, "resident", ctx.now)

    member = ticket.claimed_name or "tổ"
    return ctx.turn([Reply(texts.LEFT.format(member=member), messages.solved_buttons(ticket.id))],
                    close, event="handoff_left", ticket=ticket.id)


def solved(ctx: Ctx, answer: bool) -> HookTurn:
    ticket = ctx.view.pressed
    if ticket is None or ticket.resident_id != ctx.resident.id or ticket.status != tk.CLOSED:
        return old_button(ctx)

    def record(conn: Tx, _: int) -> None:
        if ticket.solved is None:
            tk.change(conn, ticket.id, solved=answer)

    thanks = texts.THANKS if answer else texts.SORRY
    return ctx.turn(continue_offer(ctx, thanks, ask_again=not answer), record,
                    event="handoff_solved", ticket=ticket.id, solved=answer)


def continue_offer(ctx: Ctx, first: str, *, ask_again: bool = False) -> list[Reply]:
    """Back to the guide at the step the resident was on (the engine kept it)."""
    extra = (STUCK_BUTTON,) if ask_again else ()
    return [Reply(first), _offer(ctx.catalog, SessionState.from_json(ctx.resident.state), extra)]


def _offer(catalog: Catalog, state: SessionState, extra: tuple[Button, ...]) -> Reply:
    compiled = catalog.get(state.flow_id)
    if state.has_guide and compiled is not None and state.step_id in compiled.steps:
        progress = progress_label(compiled, state.step_id or "", state.history).replace("**", "")
        return Reply(texts.CONTINUE.format(title=compiled.flow.title, progress=progress),
                     (CONTINUE_BUTTON, *extra, MENU_BUTTON))
    return Reply(texts.WHAT_NEXT, (*extra, MENU_BUTTON))


def old_button(ctx: Ctx) -> HookTurn:
    return ctx.turn([Reply(texts.OLD_BUTTON),
                     _offer(ctx.catalog, SessionState.from_json(ctx.resident.state), ())])


# ------------------------------------------------------------------ member -> resident
def from_member(ctx: Ctx, text: str) -> HookTurn:
    ticket = ctx.view.ticket
    if ticket is None or not _claimed(ticket) or ticket.claimed_by not in ctx.view.member_ids:
        return stale(ctx)
    if text.strip().lower().split("@", 1)[0] in DONE_COMMANDS:
        return close(ctx, ticket)
    if text.startswith("/"):  # /start, /menu…: not words for the resident
        return ctx.turn([Reply(texts.NOW_ON.format(id=ticket.id),
                               (Button(texts.DONE, f"{messages.CLOSE_PREFIX}{ticket.id}"),))])
    replies = [Reply(texts.MEMBER_SECRET)] if sensitive_kinds(text) & SECRETS else []

    def relay(conn: Tx, _: int) -> Wake:
        return lifecycle.to_resident(conn, ticket, ticket.claimed_by, text, ctx.now)

    return ctx.turn(replies, relay)


def close(ctx: Ctx, ticket: Ticket | None = None) -> HookTurn:
    """The member's "✅ Xong" (the button names the ticket) or /xong (their current one)."""
    ticket = ticket or ctx.view.pressed
    if ticket is None or not _claimed(ticket) or ticket.claimed_by not in ctx.view.member_ids:
        shown = ticket.id if ticket is not None else "này"
        return ctx.turn([Reply(texts.NOT_YOURS.format(id=shown))])

    def run(conn: Tx, _: int) -> Wake:
        return lifecycle.close(conn, ticket, "member", ctx.now)

    return ctx.turn([Reply(texts.MEMBER_CLOSED.format(id=ticket.id))], run)
