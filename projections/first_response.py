"""First-response due instants, as ``ledger.deadlines.first_response_due`` gives them, but fast.

The ledger walks the production calendar day by day, building each day's working window
through the timezone, for every appeal. A rebuild asks this for hundreds of thousands of
appeals that fall on a few hundred distinct days, so we remember each local day's window
(and whether it is a working day) and walk the same loop over the remembered windows. The
instant itself keeps full precision; only per-day facts are cached.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from ledger.calendar import ProductionCalendar, ensure_aware
from ledger.deadlines import Norms

Window = tuple[datetime, datetime] | None
"""A working day's [opens, closes) in UTC, or None for a day off."""

_DAY = timedelta(days=1)


class FirstResponseClock:
    """``first_response_due(...).due_at`` with per-day windows cached."""

    def __init__(self, norms: Norms, calendar: ProductionCalendar) -> None:
        self.norms = norms
        self.calendar = calendar
        self._hours = lru_cache(maxsize=64)(self._hours_for)
        self._window = lru_cache(maxsize=4096)(self._window_of)

    def due_at(self, channel: str, received_at: datetime) -> datetime | None:
        """When the first response is due; None for channels without a norm."""
        ensure_aware(received_at, "received_at")
        remaining = self._hours(channel)
        if remaining is None:
            return None
        cursor = received_at.astimezone(UTC)
        if not remaining:
            return cursor
        day = self.calendar.local_date(cursor)
        while True:
            window = self._window(day)
            if window is not None and window[1] > cursor:
                opens, closes = window
                begin = max(cursor, opens)
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
            day += _DAY

    def _hours_for(self, channel: str) -> timedelta | None:
        hours = self.norms.first_response_hours_for(channel)
        if hours is None:
            return None
        if not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be a finite non-negative number, got {hours!r}")
        return timedelta(hours=hours)

    def _window_of(self, day: date) -> Window:
        if not self.calendar.is_working_day(day):
            return None
        return self.calendar._window(day)
