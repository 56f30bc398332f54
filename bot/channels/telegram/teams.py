"""Telegram updates that belong to community teams rather than to a resident's conversation:
``/lienket <code>`` in a team's group, ``/start join-<code>`` from a member's private chat, the
"🙋 Tôi nhận" button under a ticket, and the bot being removed from a group.

These handlers run before the conversation's (handler group -1) and stop the update there.
Everything else a member does (answering a resident, "✅ Xong", ``/xong``) is a turn of the
conversation service, whose team hook knows who the member is talking to.
"""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.teams import texts
from bot.teams.desk import BUSY, CLOSED, NOT_MEMBER, TAKEN, WON, TicketDesk
from bot.teams.messages import CLAIM_PREFIX
from bot.teams.registry import Registry

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
GROUP = -1  # before the conversation's handlers
_LINK = re.compile(r"^/lienket(?:@(\w+))?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
_JOIN = re.compile(r"^/start(?:@\w+)?\s+join-(\S+)\s*$", re.IGNORECASE)
_GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


class TeamHandlers:
    def __init__(self, registry: Registry, desk: TicketDesk) -> None:
        self.registry = registry
        self.desk = desk

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        application.add_handlers([
            MessageHandler(filters.UpdateType.MESSAGE & filters.Regex(_LINK), self.on_link),
            MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
                           & filters.Regex(_JOIN), self.on_join),
            CallbackQueryHandler(self.on_claim, pattern=f"^{re.escape(CLAIM_PREFIX)}"),
            ChatMemberHandler(self.on_group_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        ], group=GROUP)

    async def on_link(self, update: Update, context: Context) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        match = _LINK.match(message.text.strip())
        if match is None or (match[1] and match[1].lower() != context.bot.username.lower()):
            return  # another bot's command
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(texts.LINK_IN_GROUP)
        elif not (match[2] or "").strip():
            await message.reply_text(texts.LINK_USAGE)
        else:
            unit = await self.registry.link_group(match[2].strip(), message.chat.id,
                                                  message.chat.title, f"tg:{user.id}")
            if unit is None:
                await message.reply_text(texts.LINK_BAD)
            else:
                team = self.registry.directory.team(unit).name
                await message.reply_text(texts.LINKED.format(
                    team=team, unit=unit.name, bot=context.bot.username))
        raise ApplicationHandlerStop

    async def on_join(self, update: Update, context: Context) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        match = _JOIN.match(message.text.strip())
        joined = await self.registry.join(match[1], user.id, user.full_name) if match else None
        if joined is None:
            await message.reply_text(texts.JOIN_BAD)
        else:
            member, unit = joined
            await message.reply_text(texts.JOINED.format(
                name=member.name, team=self.registry.directory.team(unit).name, unit=unit.name))
        raise ApplicationHandlerStop

    async def on_claim(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or not query.data:
            return
        number = query.data[len(CLAIM_PREFIX):]
        if not number.isdigit() or len(number) > 18:
            await _answer(query, texts.ALERT_CLOSED)
            raise ApplicationHandlerStop
        outcome = await self.desk.claim_telegram(int(number), query.from_user.id)
        answers = {
            WON: texts.ALERT_CLAIMED.format(id=outcome.ticket_id),
            TAKEN: texts.ALERT_TAKEN.format(member=outcome.name or "Người khác"),
            CLOSED: texts.ALERT_CLOSED,
            NOT_MEMBER: texts.ALERT_NOT_MEMBER.format(bot=context.bot.username),
            BUSY: texts.ALERT_BUSY,
        }
        await _answer(query, answers[outcome.kind], alert=outcome.kind != WON)
        raise ApplicationHandlerStop

    async def on_group_membership(self, update: Update, _: Context) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type == ChatType.PRIVATE:
            return
        if change.new_chat_member.status in _GONE:
            await self.registry.group_gone(change.chat.id)
        raise ApplicationHandlerStop


async def _answer(query: CallbackQuery, text: str, *, alert: bool = False) -> None:
    try:
        await query.answer(text[:200], show_alert=alert)
    except BadRequest as error:
        log.info("could not answer a claim press: %s", error.message)
