"""Opening a ticket when a resident asks for a person, and finding out their commune first
when nobody knows it ("Bác ở xã/phường nào ạ?").

Every sentence here is true when it is said: "cháu đang chuyển" (the group post is queued in
this very transaction); "đã đến" comes later, from the post's delivery (``lifecycle.posted``).
"""

from __future__ import annotations

from dataclasses import replace

from bot import safety
from bot.engine.messages import Button, Reply
from bot.engine.render import MENU_BUTTON
from bot.engine.texts import SAFETY_WARNING
from bot.privacy import Sensitive, mask, sensitive_kinds
from bot.storage import tickets as tk
from bot.storage.tickets import Tx
from bot.teams import lifecycle, messages, texts
from bot.teams.lifecycle import Wake
from bot.teams.view import Ctx
from bot.text import fold, normalize
from bot.turn_contract import HookTurn

CHANGE_UNIT = {"/xa", "/doixa", "doi xa", "doi phuong", "doi xa phuong", "doi noi o"}
SKIP_BUTTON = Button(texts.SKIP, messages.SKIP)
SECRETS = {Sensitive.otp, Sensitive.password, Sensitive.card, Sensitive.id_number}


def wants_unit_change(text: str | None) -> bool:
    if not text:
        return False
    word = text.strip().lower().split("@", 1)[0]
    return word in CHANGE_UNIT or fold(text) in CHANGE_UNIT


def routing_text(ctx: Ctx, unit_id: str | None) -> str:
    """What the resident is told when their ticket is opened for ``unit_id``."""
    directory, now = ctx.directory, ctx.now
    team = directory.route(unit_id)
    if team is None:
        unit = directory.commune_of(unit_id)
        place = unit.name if unit is not None else directory.places(None).get(
            "commune", "nơi bác ở")
        return f"{texts.NO_TEAM.format(place=place)}\n{lifecycle.urgent(directory, unit_id)}"
    said = texts.SENDING if team.chat is not None else texts.IN_INBOX
    lines = [said.format(team=team.name)]
    late = lifecycle.off_hours(team, now)
    if late:
        lines[0] += " " + late
    phones = directory.phones(unit_id) or directory.phones(team.unit.id)
    if phones:
        lines.append(texts.URGENT.format(phones=", ".join(p for _, p in phones[:2])))
    lines.append(texts.NO_OTP)
    return "\n".join(lines)


def handoff(ctx: Ctx, replies: list[Reply], notice: str | None, unit_id: str | None,
            flow_id: str | None, step_id: str | None, history: tuple[str, ...]) -> HookTurn:
    """The engine asked for a person: replace its notice with what is true."""
    view, directory, message = ctx.view, ctx.directory, ctx.message
    party, ticket = view.party, view.ticket
    if party is not None and party.role == "member":
        text = texts.NOW_ON.format(id=party.ticket_id)
        return ctx.turn(_replace(replies, notice, text, None))
    if party is not None and ticket is not None and ticket.status in tk.ACTIVE:
        return ctx.turn(_replace(replies, notice, _already(ctx), None))
    if unit_id is not None and not directory.knows(unit_id):
        unit_id = None
    if unit_id is None and directory.has_communes:
        def ask(conn: Tx, resident_id: int) -> None:
            lifecycle.ask(conn, resident_id=resident_id, channel=message.channel,
                          recipient=message.user_id, flow_id=flow_id, step_id=step_id,
                          history=history, now=ctx.now)

        return ctx.turn(_replace(replies, notice, texts.ASK_UNIT, (SKIP_BUTTON, MENU_BUTTON)),
                        ask, event="handoff_asked_unit")
    known = unit_id

    def route(conn: Tx, resident_id: int) -> Wake:
        return lifecycle.route(conn, directory, ctx.catalog, resident_id=resident_id,
                               channel=message.channel, recipient=message.user_id,
                               unit_id=known, flow_id=flow_id, step_id=step_id,
                               history=history, now=ctx.now)

    return ctx.turn(_replace(replies, notice, routing_text(ctx, unit_id), None), route,
                    event="handoff_opened", unit=unit_id)


def _already(ctx: Ctx) -> str:
    party, ticket = ctx.view.party, ctx.view.ticket
    assert party is not None and ticket is not None
    if party.mode == "asking":
        return texts.ASK_UNIT
    unit = ctx.directory.get(ticket.team_unit)
    team = ctx.directory.team(unit).name if unit is not None else "tổ"
    if ticket.status == tk.CLAIMED:
        return texts.ALREADY_TALKING.format(member=ticket.claimed_name or "người của tổ",
                                            team=team)
    return (texts.ALREADY_SENT if ticket.posted_at else texts.ALREADY_SENDING).format(team=team)


def _replace(replies: list[Reply], notice: str | None, text: str,
             buttons: tuple[Button, ...] | None) -> list[Reply]:
    """The engine's replies with its hand-off notice replaced by ``text`` (the notice's own
    buttons kept unless ``buttons`` are given). Without a notice to replace, ``text`` is
    added as a reply of its own."""
    out, replaced = [], False
    for reply in replies:
        if notice and notice in reply.text and not replaced:
            replaced = True
            reply = Reply(reply.text.replace(notice, text),
                          reply.buttons if buttons is None else buttons, reply.image)
        out.append(reply)
    if not replaced:
        out.append(Reply(text, buttons or (MENU_BUTTON,)))
    return out


# ------------------------------------------------------------------ "Bác ở xã/phường nào?"
def ask_change(ctx: Ctx) -> HookTurn:
    """The resident wants to change their commune ("đổi xã")."""
    message = ctx.message

    def asking(conn: Tx, _: int) -> None:
        tk.set_party(conn, message.channel, message.user_id, "resident", "asking", None,
                     ctx.now)

    return ctx.turn([Reply(texts.ASK_UNIT, (SKIP_BUTTON,))], asking)


def answer(ctx: Ctx, text: str) -> HookTurn:
    """A typed answer to "bác ở xã/phường nào?". What matters more comes first: a scam (the
    engine warns and guides; the waiting ticket goes on now, without the commune), a secret
    typed here (the 🔒 warning; nothing kept), a second call for help (the question stands)."""
    found = ctx.directory.match(text)
    if len(found) == 1:
        return chosen(ctx, found[0].id)
    if safety.check(text).found and ctx.view.ticket is not None and \
            ctx.view.ticket.status == tk.ASKING:
        routed = _route_waiting(ctx, None, texts.UNIT_SKIPPED_URGENT, commune=None)
        return replace(routed, replies=[], after=routed.replies, engine=True)
    if sensitive_kinds(text) & SECRETS:
        return ctx.turn([Reply(SAFETY_WARNING), Reply(texts.ASK_UNIT_AGAIN, (SKIP_BUTTON,))])
    if wants_a_person(text):
        return ctx.turn([Reply(texts.HANDOFF_WAITS_UNIT, (SKIP_BUTTON, MENU_BUTTON))])
    if found:
        buttons = tuple(Button(_choice_label(ctx, u.id), messages.unit_payload(u.id))
                        for u in found)
        return ctx.turn([Reply(texts.UNIT_CHOICES, (*buttons, SKIP_BUTTON))])
    shown = mask(" ".join(text.split()))[:40]
    return ctx.turn([Reply(texts.UNIT_NOT_FOUND.format(text=shown), (SKIP_BUTTON,))])


_PERSON = ("bi ket", "gap nguoi", "nguoi that", "nho to", "giup voi", "can nguoi", "goi to",
           "nguoi ho tro", "can bo")


def wants_a_person(text: str) -> bool:
    """"Tôi bị kẹt", "cho gặp người thật": asking for the person the ticket is for."""
    joined = f" {normalize(text)} "
    return any(f" {phrase} " in joined for phrase in _PERSON)


def _choice_label(ctx: Ctx, unit_id: str) -> str:
    unit = ctx.directory.get(unit_id)
    parent = ctx.directory.get(unit.parent_id) if unit is not None else None
    label = unit.name if unit is not None else unit_id
    return f"{label} — {parent.name}"[:40] if parent is not None else label[:40]


def chosen(ctx: Ctx, unit_id: str) -> HookTurn:
    """The resident's commune is known now: remember it, and send a waiting ticket on."""
    unit = ctx.directory.get(unit_id)
    if unit is None:
        return ctx.turn([Reply(texts.OLD_BUTTON, (MENU_BUTTON,))])
    said = texts.UNIT_SET.format(name=unit.name)
    ticket = ctx.view.ticket
    message = ctx.message
    if ticket is None or ticket.status != tk.ASKING:
        def forget(conn: Tx, _: int) -> None:
            tk.drop_party(conn, message.channel, message.user_id)

        return ctx.turn([Reply(said, (MENU_BUTTON,))], forget, commune=unit_id)
    return _route_waiting(ctx, unit_id, said, commune=unit_id)


def skip(ctx: Ctx) -> HookTurn:
    ticket, message = ctx.view.ticket, ctx.message
    if ticket is None or ticket.status != tk.ASKING:
        def forget(conn: Tx, _: int) -> None:
            tk.drop_party(conn, message.channel, message.user_id)

        return ctx.turn([Reply(texts.UNIT_UNCHANGED, (MENU_BUTTON,))], forget)
    return _route_waiting(ctx, None, None, commune=None)


def _route_waiting(ctx: Ctx, unit_id: str | None, said: str | None,
                   commune: str | None) -> HookTurn:
    ticket = ctx.view.ticket
    assert ticket is not None

    def route(conn: Tx, resident_id: int) -> Wake:
        history = tuple(str(s) for s in ticket.context.get("history", []))
        return lifecycle.route(conn, ctx.directory, ctx.catalog, resident_id=resident_id,
                               channel=ticket.channel, recipient=ticket.recipient,
                               unit_id=unit_id, flow_id=ticket.flow_id,
                               step_id=ticket.step_id, history=history, now=ctx.now,
                               existing=ticket)

    text = routing_text(ctx, unit_id)
    return ctx.turn([Reply(f"{said}\n{text}" if said else text, (MENU_BUTTON,))], route,
                    commune=commune, event="handoff_opened", unit=unit_id)


def abandon(ctx: Ctx) -> HookTurn:
    """The resident moved on without naming a commune: the engine answers what they did."""
    ticket, message = ctx.view.ticket, ctx.message

    def drop(conn: Tx, _: int) -> Wake:
        if ticket is not None and ticket.status == tk.ASKING:
            return lifecycle.close(conn, ticket, "abandoned", ctx.now)
        tk.drop_party(conn, message.channel, message.user_id)
        return []

    return ctx.turn([], drop, engine=True)
