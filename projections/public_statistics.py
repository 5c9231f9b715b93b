"""Statistics as the public sees them: whole calendar months, with disclosure control.

The period rule: the public asks for whole calendar months, either ``period: MONTH`` (with a
range, if any, from a month's first day to a month's last day) or one month's range with no
period. Days, weeks, other ranges and all time are refused: each of them overlaps a published
month, and the difference of two overlapping periods would publish a period of its own that
no suppression pattern covers (11-01..11-05 minus 11-01..11-04 is 11-05). Months never
overlap, so each is a disclosure block of its own (``projections.disclosure``).

Daily figures (the open data's) are published only for the groupings of
``projections.public_tables``, under the same month's pattern: a month's block holds its days.

Cost: the figures come from ``StatisticsQuery`` as for staff; the pattern of a month reads that
month's finest day cells once (O(cells of the month), never appeals) and is cached by content.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from ledger.errors import ValidationError
from projections.db import Database
from projections.disclosure import DIMENSIONS, Cells, Pattern
from projections.models import Dimension, Period, StatsFilter, StatsGroup
from projections.pattern_store import PatternStore
from projections.public_tables import (
    TABLES,
    block_key,
    is_daily_grouping,
    public_filter,
    public_grouping,
)
from projections.statistics_query import StatisticsQuery
from projections.statistics_view import CELLS

RULE = (
    "public statistics cover whole calendar months: use period MONTH, or receivedFrom the "
    "first and receivedTo the last day of one month"
)


def check_public_range(filter: StatsFilter, period: Period | None) -> None:
    """Refuse what the public may not ask for; see the module docstring for why."""
    start, end = filter.received_from, filter.received_to
    if period is not None and period is not Period.MONTH:
        raise ValidationError(field="period", reason=RULE)
    if start is not None and start.day != 1:
        raise ValidationError(field="filter.receivedFrom", reason=RULE)
    if end is not None and (end + timedelta(days=1)).day != 1:
        raise ValidationError(field="filter.receivedTo", reason=RULE)
    if period is None and (start is None or end is None or start != end.replace(day=1)):
        raise ValidationError(field="filter", reason=RULE)


class PublicStatistics:
    """Statistics with the public's period rule and suppression pattern applied."""

    def __init__(
        self, db: Database, query: StatisticsQuery, patterns: PatternStore | None = None
    ) -> None:
        self.db = db
        self.query = query
        self.patterns = patterns or PatternStore(db)

    def statistics(
        self,
        filter: StatsFilter,
        group_by: Sequence[Dimension],
        period: Period | None,
        now: datetime,
        threshold: int,
    ) -> list[StatsGroup]:
        """Groups as staff get them, with ``suppressed``/``rating_suppressed`` set."""
        check_public_range(filter, period)
        filter, group_by = public_filter(filter), public_grouping(group_by)
        groups = self.query.statistics(filter, group_by, period, now)
        fixed = {d.value: getattr(filter, d.value) for d in Dimension}
        patterns: dict[date, Pattern] = {}
        shown = []
        for group in groups:
            period_key = group.keys.get("period")
            month = period_key if isinstance(period_key, date) else filter.received_from
            assert month is not None  # check_public_range makes every answer a month's
            if month not in patterns:
                patterns[month] = self.pattern(month, threshold)
            values = {d: _raw(group.keys[d]) if d in group.keys else fixed[d] for d in DIMENSIONS}
            shown.append(_marked(group, block_key(None, values), patterns[month]))
        return shown

    def daily(
        self, month: date, group_by: Sequence[Dimension], now: datetime, threshold: int
    ) -> list[StatsGroup]:
        """One month's groups per day, for a grouping the public may have per day."""
        if not is_daily_grouping(group_by):
            raise ValidationError(field="groupBy", reason="not a published daily grouping")
        first = month.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        window = StatsFilter(received_from=first, received_to=last)
        groups = self.query.statistics(window, group_by, Period.DAY, now)
        found = self.pattern(first, threshold)
        shown = []
        for group in groups:
            day = group.keys["period"]
            assert isinstance(day, date)
            values = {d: _raw(group.keys[d]) if d in group.keys else None for d in DIMENSIONS}
            shown.append(_marked(group, block_key(day.toordinal(), values), found))
        return shown

    def pattern(self, month: date, threshold: int) -> Pattern:
        """The suppression pattern of one month's block (its days and every published table)."""
        first = month.replace(day=1)
        return self.patterns.pattern(first, self._cells(first), threshold, TABLES)

    def _cells(self, month: date) -> Cells:
        first = month.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        statement = self.db.sql(
            f"SELECT bucket, {', '.join(DIMENSIONS)}, n, rated FROM {CELLS} "
            "WHERE grain = 'd' AND bucket >= ? AND bucket <= ? AND n > 0"
        )
        with self.db.reading() as cursor:
            cursor.execute(statement, [first.toordinal(), last.toordinal()])
            rows = [tuple(row) for row in cursor.fetchall()]
        width = 1 + len(DIMENSIONS)  # the day, then the dimensions
        return tuple(
            sorted(
                (tuple(str(v) for v in row[:width]), int(row[width]), int(row[width + 1]))
                for row in rows
            )
        )


def _marked(group: StatsGroup, key: tuple[str, ...], found: Pattern) -> StatsGroup:
    return dataclasses.replace(
        group, suppressed=key in found.hidden, rating_suppressed=key in found.rating_hidden
    )


def _raw(value: object) -> str:
    """A group key as stored: a missing category or department is ``''``."""
    return "" if value is None else str(value)
