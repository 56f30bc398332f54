"""Team members' reach commands: ``/chiase <từ khóa>`` (their own links and QR for a guide,
in a private chat), ``/thongke`` (their unit's results, this month and last) and
``/thongbao tat|bat`` (completion notices off or on). Members only; residents who type these
get the conversation's usual answer, as the handlers stop only members' updates."""

from __future__ import annotations

import datetime as dt
import re

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram.inline import search
from bot.reports import texts
from bot.reports.access import Viewer
from bot.reports.handout import qr_png
from bot.reports.links import NoPublicUrl
from bot.reports.results import Period, Report
from bot.reports.service import Reports
from bot.storage.teams import MemberRow
from bot.teams.hours import VIETNAM

Context = ContextTypes.DEFAULT_TYPE
GROUP = -1  # before the conversation's handlers
SHOWN = 3  # guides answered per /chiase
_SHARE = re.compile(r"^/chiase(?:@\w+)?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
_STATS = re.compile(r"^/thongke(?:@\w+)?\s*$", re.IGNORECASE)
_NOTIFY = re.compile(r"^/thongbao(?:@\w+)?(?:\s+(\S+))?\s*$", re.IGNORECASE)


class ReportHandlers:
    def __init__(self, reports: Reports) -> None:
        self.reports = reports

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        message = filters.UpdateType.MESSAGE
        application.add_handlers([
            MessageHandler(message & filters.Regex(_SHARE), self.on_share),
            MessageHandler(message & filters.Regex(_STATS), self.on_stats),
            MessageHandler(message & filters.ChatType.PRIVATE & filters.Regex(_NOTIFY),
                           self.on_notify),
        ], group=GROUP)

    async def _member(self, update: Update, context: Context) -> tuple[Message, MemberRow
                                                                       ] | None:
        """The message and the sender's team membership, or None (not a member: the
        conversation answers as for anyone)."""
        message, user = update.message, update.effective_user
        if message is None or user is None or message.text is None:
            return None
        self.reports.links.bot_username = context.bot.username
        members = await self.reports.telegram_members(user.id)
        return (message, members[0]) if members else None

    async def on_share(self, update: Update, context: Context) -> None:
        found = await self._member(update, context)
        if found is None:
            if update.message is not None and update.message.chat.type == ChatType.PRIVATE:
                await update.message.reply_text(texts.SHARE_NOT_MEMBER)
                raise ApplicationHandlerStop
            return
        message, member = found
        if message.chat.type != ChatType.PRIVATE:
            await message.reply_text(texts.SHARE_PRIVATE)
            raise ApplicationHandlerStop
        match = _SHARE.match((message.text or "").strip())
        query = (match[1] or "").strip() if match else ""
        if not query:
            await message.reply_text(texts.SHARE_USAGE)
            raise ApplicationHandlerStop
        flows = search(self.reports.catalog(), query)
        if not flows:
            await message.reply_text(texts.SHARE_NOT_FOUND.format(query=query[:40]))
            raise ApplicationHandlerStop
        unit = self.reports.registry.directory.label(member.unit_id)
        for flow in flows[:SHOWN]:
            try:
                link = await self.reports.link(flow.id, member.unit_id, member.id)
            except NoPublicUrl as exc:  # a link that opens nothing is worse than none
                await message.reply_text(exc.message)
                raise ApplicationHandlerStop from None
            caption = texts.SHARE_LINKS.format(
                title=flow.title, unit=unit, web=link.web, code=link.code,
                telegram=f"Telegram: {link.telegram}\n" if link.telegram else "")
            await message.reply_photo(qr_png(link.telegram or link.web, box=8),
                                      caption=caption[:1024])
        if len(flows) > SHOWN:
            await message.reply_text(texts.SHARE_MORE.format(n=len(flows) - SHOWN))
        raise ApplicationHandlerStop

    async def on_stats(self, update: Update, context: Context) -> None:
        found = await self._member(update, context)
        if found is None:
            return
        message, member = found
        today = self.reports.clock.now().astimezone(VIETNAM).date()
        this = Period.month_of(today)
        last = Period.month_of(this.first - dt.timedelta(days=1))
        viewer = Viewer(frozenset({member.unit_id}))
        lines = []
        for label, period in ((texts.THIS_MONTH, this), (texts.LAST_MONTH, last)):
            report = await self.reports.results.report(member.unit_id, period, viewer)
            lines.append(_stats_line(label, report))
        for label, period in ((texts.THIS_MONTH, this), (texts.LAST_MONTH, last)):
            started, finished = await self.reports.results.member_figures(member.id, period)
            lines.append(texts.STATS_MINE.format(label=label.lower(), started=started,
                                                 finished=finished))
        title = texts.STATS_TITLE.format(
            unit=self.reports.registry.directory.label(member.unit_id))
        await message.reply_text("\n".join([title, *lines]))
        raise ApplicationHandlerStop

    async def on_notify(self, update: Update, context: Context) -> None:
        found = await self._member(update, context)
        if found is None:
            return
        message, _ = found
        match = _NOTIFY.match((message.text or "").strip())
        choice = (match[1] or "").lower() if match else ""
        if choice not in ("tat", "tắt", "bat", "bật"):
            await message.reply_text(texts.NOTIFY_USAGE)
            raise ApplicationHandlerStop
        on = choice in ("bat", "bật")
        user = update.effective_user
        for member in await self.reports.telegram_members(user.id if user else 0):
            await self.reports.set_notices(member.id, on)
        await message.reply_text(texts.NOTIFY_ON if on else texts.NOTIFY_OFF)
        raise ApplicationHandlerStop


def _stats_line(label: str, report: Report) -> str:
    reached, started, finished, confirmed = report.counts("totals")
    return texts.STATS_LINE.format(label=label, reached=reached, started=started,
                                   finished=finished, confirmed=confirmed)
