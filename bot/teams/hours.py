"""A team's working hours, in Vietnam's time (Asia/Ho_Chi_Minh is UTC+7 all year: no daylight
saving since 1975, so a fixed offset needs no time-zone database)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
DEFAULT_HOURS = "07:00-21:00"
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
DAY = 24 * 60


@dataclass(frozen=True)
class Hours:
    """Open from ``start`` to ``end`` (minutes after local midnight) every day; an ``end``
    before ``start`` runs past midnight; ``00:00-24:00`` is always open."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str | None) -> Hours:
        """``"07:00-21:00"``; raises ValueError with a message for people."""
        match = _HOURS.match(text or DEFAULT_HOURS)
        if match is None:
            raise ValueError("giờ làm việc phải có dạng HH:MM-HH:MM, ví dụ 07:00-21:00")
        sh, sm, eh, em = (int(g) for g in match.groups())
        if sm > 59 or em > 59 or sh > 23 or eh > 24 or (eh == 24 and em):
            raise ValueError("giờ làm việc không hợp lệ (00:00 đến 24:00)")
        start, end = sh * 60 + sm, eh * 60 + em
        if start == end:
            raise ValueError("giờ bắt đầu và giờ kết thúc trùng nhau")
        return cls(start, end)

    @classmethod
    def of(cls, text: str | None) -> Hours:
        """Like :meth:`parse`, but a stored value that no longer parses means the default."""
        try:
            return cls.parse(text)
        except ValueError:
            return cls.parse(DEFAULT_HOURS)

    @property
    def always(self) -> bool:
        return self.start == 0 and self.end == DAY

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(VIETNAM)
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def next_open(self, moment: dt.datetime) -> dt.datetime:
        """When the team is next at work: ``moment`` itself when it is now."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(VIETNAM)
        opening = local.replace(hour=self.start // 60, minute=self.start % 60, second=0,
                                microsecond=0)
        if opening <= local:
            opening += dt.timedelta(days=1)
        return opening.astimezone(dt.UTC)

    def label(self) -> str:
        return f"{_clock(self.start)}–{_clock(self.end)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def when(moment: dt.datetime, now: dt.datetime) -> str:
    """``"7 giờ sáng mai"``-style words for a resident: at most a day ahead."""
    local, today = moment.astimezone(VIETNAM), now.astimezone(VIETNAM).date()
    hour = f"{local.hour} giờ" + (f" {local.minute:02d}" if local.minute else "")
    part = ("sáng" if local.hour < 11 else "trưa" if local.hour < 13
            else "chiều" if local.hour < 18 else "tối")
    if local.date() == today:
        return f"{hour} {part} nay"
    if local.date() == today + dt.timedelta(days=1):
        return f"{hour} {part} mai"
    return f"{hour} ngày {local.day}/{local.month}"
