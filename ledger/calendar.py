"""The Russian production calendar (производственный календарь) and working-hour arithmetic.

Days off come from the maintained `holidays` package (`holidays.country_holidays("RU")`):
public holidays, days off transferred by government decree, and the weekend days those
decrees turn into working days (`HolidayBase.weekend_workdays`, e.g. Saturday 2025-11-01).
Nothing here hand-codes a holiday list. Years the government has not yet published a
decree for have no transfers, only the fixed holidays.

Working time is [work_start, work_end) minus the breaks, in the calendar's timezone, on
working days; every day's stretches are computed once and remembered.
Shortened pre-holiday days (one hour less by Labour Code art. 95) are not modelled:
no social-media norm we encode depends on them.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = ["ProductionCalendar", "Window", "ensure_aware"]

_DAY = timedelta(days=1)


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


Window = tuple[datetime, datetime]
"""A stretch of working time [opens, closes) in UTC."""


class ProductionCalendar:
    """Russian production calendar: public holidays, transferred days off and transferred working days.

    The working day is [work_start, work_end) minus ``breaks`` (each a [start, end) of
    wall-clock time, e.g. the lunch break, which is not working time: Labour Code ст. 108).
    """

    __slots__ = ("_windows", "_zone", "breaks", "tz", "work_end", "work_start")

    def __init__(
        self,
        tz: str = "Europe/Moscow",
        work_start: time = time(9),
        work_end: time = time(18),
        breaks: tuple[tuple[time, time], ...] = (),
    ) -> None:
        stretches = [(work_start, work_end), *breaks]
        if any(t.tzinfo is not None for stretch in stretches for t in stretch):
            raise ValueError("work_start and work_end are wall-clock times in tz; pass naive times")
        if work_start >= work_end:
            raise ValueError(f"work_start {work_start} must precede work_end {work_end}")
        previous = work_start
        for begins, ends in breaks:
            if not previous <= begins < ends <= work_end:
                raise ValueError(
                    f"break {begins}-{ends} must lie within {work_start}-{work_end}, "
                    "in order and without overlapping another"
                )
            previous = ends
        self.tz = tz
        self.work_start = work_start
        self.work_end = work_end
        self.breaks = tuple(breaks)
        self._zone = ZoneInfo(tz)
        self._windows: dict[date, tuple[Window, ...]] = {}

    def __repr__(self) -> str:
        return (
            f"ProductionCalendar(tz={self.tz!r}, work_start={self.work_start!r}, "
            f"work_end={self.work_end!r}, breaks={self.breaks!r})"
        )

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

    def working_windows(self, day: date) -> tuple[Window, ...]:
        """The working stretches of local `day` in UTC, in order; empty on a day off.

        Remembered per day: a rebuild asks for the same few hundred days again and again.
        """
        windows = self._windows.get(day)
        if windows is None:
            if len(self._windows) > 8192:
                self._windows.clear()
            windows = self._windows[day] = self._windows_of(day)
        return windows

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
            for opens, closes in self.working_windows(day):
                if closes > cursor:
                    begin = max(cursor, opens)
                    if remaining <= closes - begin:
                        return begin + remaining
                    remaining -= closes - begin
            day += _DAY

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours in [start, end); negative when `end` precedes `start`."""
        start = ensure_aware(start, "start").astimezone(UTC)
        end = ensure_aware(end, "end").astimezone(UTC)
        if end < start:
            return -self.working_hours_between(end, start)
        total = timedelta()
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            for opens, closes in self.working_windows(day):
                overlap = min(end, closes) - max(start, opens)
                if overlap > timedelta():
                    total += overlap
            day += _DAY
        return total / timedelta(hours=1)

    def _windows_of(self, day: date) -> tuple[Window, ...]:
        if not self.is_working_day(day):
            return ()
        bounds = [self.work_start]
        for begins, ends in self.breaks:
            bounds += [begins, ends]
        bounds.append(self.work_end)
        # Bounds go through the zone and then to UTC so arithmetic stays correct across DST shifts.
        utc = [datetime.combine(day, t, tzinfo=self._zone).astimezone(UTC) for t in bounds]
        return tuple((utc[i], utc[i + 1]) for i in range(0, len(utc), 2) if utc[i] < utc[i + 1])
