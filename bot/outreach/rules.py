"""The rules every proactive message follows, as pure functions of the time and what is known
about the resident (see ``docs/announcements.md`` for why)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.teams.hours import Hours

QUIET_HOURS = Hours.parse("07:00-21:00")  # Vietnam time; never written to outside it

# Why a targeted resident was not sent the message (the console's words in bot.announcements).
NOT_ACTIVE = "no_channel"  # blocked the bot, unfollowed the OA
ZALO_WINDOW = "zalo_window"  # "ngoài thời hạn Zalo": no interaction in the last 7 days
LIMIT = "limit"  # had their share of messages this day or week
WEB_EXPIRED = "web_expired"  # the page was not opened within the web's keep


@dataclass(frozen=True)
class Rules:
    hours: Hours = QUIET_HOURS
    per_day: int = 1  # announcements per resident in any 24 hours
    per_week: int = 4  # … and in any 7 days
    zalo_window: dt.timedelta = dt.timedelta(days=7)
    web_keep: dt.timedelta = dt.timedelta(days=7)
    telegram_per_second: int = 20  # of Telegram's ~30/s overall, the rest for live replies

    def sending_allowed(self, now: dt.datetime) -> bool:
        return self.hours.is_open(now)

    def release_time(self, wanted: dt.datetime) -> dt.datetime:
        """When a message wanted at ``wanted`` may go: then, or the next 07:00."""
        return self.hours.next_open(wanted)

    def skip_reason(self, channel: str, active: bool, zalo_last: dt.datetime | None,
                    sent_day: int, sent_week: int, now: dt.datetime) -> str | None:
        """None when the resident may be sent one more message now, else why not."""
        if not active:
            return NOT_ACTIVE
        if channel == "zalo" and (zalo_last is None or now - zalo_last >= self.zalo_window):
            return ZALO_WINDOW
        if sent_day >= self.per_day or sent_week >= self.per_week:
            return LIMIT
        return None
