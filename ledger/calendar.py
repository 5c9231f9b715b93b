"""The Russian production calendar (производственный календарь) and working-hour arithmetic.

Days off come from the maintained `holidays` package (`holidays.country_holidays("RU")`):
public holidays, days off transferred by government decree, and the weekend days those
decrees turn into working days (`HolidayBase.weekend_workdays`, e.g. Saturday 2025-11-01).
Nothing here hand-codes a holiday list. Years the government has not yet published a
decree for have no transfers, only the fixed holidays.

Working time is [work_start, work_end) in the calendar's timezone on working days.
Shortened pre-holiday days (one hour less by Labour Code art. 95) are not modelled:
no social-media norm we encode depends on them.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = ["ProductionCalendar", "ensure_aware"]


def ensure_aware(value: datetime, argument: str) -> datetime:
    """Return `value` unchanged, or raise ValueError naming `argument` if it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{argument} must be a timezone-aware datetime, got naive {value!r}")
    return value


@lru_cache(maxsize=8192)
def _midnight_utc(tz: str, day: date) -> datetime:
    # Every calendar-day deadline ends at a local midnight: the ledger and the projections'
    # fold ask for the same few thousand days again and again (the rebuild's hot path).
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[date]:
    """Every non-working date of `year`: weekends not transferred to work, plus holidays."""
    # Decrees can move a day across the new-year boundary (e.g. a January weekend turned into
    # a December day off), so the neighbouring years are populated too.
    calendar = holidays.country_holidays("RU", years=range(year - 1, year + 2))
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    return frozenset(
        day
        for day in (first + timedelta(days=n) for n in range(days))
        if not calendar.is_working_day(day)
    )


class ProductionCalendar:
    """Russian production calendar: public holidays, transferred days off and transferred working days."""

    __slots__ = ("_zone", "tz", "work_end", "work_start")

    def __init__(
        self,
        tz: str = "Europe/Moscow",
        work_start: time = time(9),
        work_end: time = time(18),
    ) -> None:
        if work_start.tzinfo is not None or work_end.tzinfo is not None:
            raise ValueError("work_start and work_end are wall-clock times in tz; pass naive times")
        if work_start >= work_end:
            raise ValueError(f"work_start {work_start} must precede work_end {work_end}")
        self.tz = tz
        self.work_start = work_start
        self.work_end = work_end
        self._zone = ZoneInfo(tz)

    def __repr__(self) -> str:
        return f"ProductionCalendar(tz={self.tz!r}, work_start={self.work_start!r}, work_end={self.work_end!r})"

    def is_working_day(self, day: date) -> bool:
        """True if `day` is a working day: a weekday that is not a day off, or a transferred working Saturday."""
        if isinstance(day, datetime):
            # A datetime is a date subclass; silently using its date part would ignore its timezone.
            raise TypeError(
                "is_working_day takes a date; convert the datetime with local_date() first"
            )
        return day not in _days_off(day.year)

    def local_date(self, instant: datetime) -> date:
        """The calendar date of a tz-aware instant in this calendar's timezone."""
        return ensure_aware(instant, "instant").astimezone(self._zone).date()

    def midnight_utc(self, day: date) -> datetime:
        """The UTC instant at which local `day` begins."""
        return _midnight_utc(self.tz, day)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The earliest UTC instant by which `hours` of working time have elapsed since `start`."""
        cursor = ensure_aware(start, "start").astimezone(UTC)
        if not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be a finite non-negative number, got {hours!r}")
        remaining = timedelta(hours=hours)
        if not remaining:
            return cursor
        day = self.local_date(cursor)
        while True:
            opens, closes = self._window(day)
            if closes > cursor and self.is_working_day(day):
                begin = max(cursor, opens)
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
            day += timedelta(days=1)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours in [start, end); negative when `end` precedes `start`."""
        start = ensure_aware(start, "start").astimezone(UTC)
        end = ensure_aware(end, "end").astimezone(UTC)
        if end < start:
            return -self.working_hours_between(end, start)
        total = timedelta()
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                overlap = min(end, closes) - max(start, opens)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total / timedelta(hours=1)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        # Bounds go through the zone and then to UTC so arithmetic stays correct across DST shifts.
        opens = datetime.combine(day, self.work_start, tzinfo=self._zone).astimezone(UTC)
        closes = datetime.combine(day, self.work_end, tzinfo=self._zone).astimezone(UTC)
        return opens, closes
