"""The sharpest problems: category × body groups growing against their own baseline.

For each (category, body) the period's count of received appeals (the ``window`` of days
ending on ``end``, inclusive) is compared with the same group's counts in the ``baseline``
windows of equal length just before it. The statistical test is a one-sided Poisson test:
under "nothing changed" the count is Poisson with the baseline's mean rate, estimated as
``(baseline total + 0.5) / baseline windows`` (the 0.5 keeps a group new to the period from a
zero rate), and the p-value is P(X >= count). A group is flagged when that p-value is below
``ALPHA`` divided by the number of groups tested (Bonferroni: the chance of any false flag
in a query is at most ``ALPHA``) and it has at least ``MIN_COUNT`` appeals. Flags are ranked
by sharpness, -log10 of the p-value, then by growth.

Cost: day cells of the statistics view over the baseline and the window (one grouped read),
and the period's figures (overdue now, first response, on-time share) from one statistics
query over the window: O(groups × days), never a scan of appeals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from projections.db import Database
from projections.models import Dimension, Period, StatsFilter, StatsGroup
from projections.poisson import upper_tail_log10
from projections.statistics_query import StatisticsQuery
from projections.statistics_view import CELLS

ALPHA = 0.01
MIN_COUNT = 5
WINDOW_DAYS = {Period.DAY: 1, Period.WEEK: 7, Period.MONTH: 28}
"""Window lengths; a "month" is four weeks, so every window has the same weekdays."""


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One flagged group with the numbers behind its flag."""

    category: str | None
    body: str
    count: int
    baseline_mean: float
    growth: float
    p_value_log10: float
    sharpness: float
    figures: StatsGroup | None
    start: date
    end: date


class HotspotQuery:
    """Finds growing problems from the statistics cells."""

    def __init__(self, db: Database, statistics: StatisticsQuery) -> None:
        self.db = db
        self.statistics = statistics

    def hotspots(
        self,
        period: Period,
        end: date,
        baseline: int,
        now: datetime,
        *,
        body: str | None = None,
        category: str | None = None,
        department: str | None = None,
    ) -> list[Hotspot]:
        """Flagged groups, sharpest first; ``body``/``category``/``department`` narrow them."""
        days = WINDOW_DAYS[period]
        start = end - timedelta(days=days - 1)
        first = start - timedelta(days=days * baseline)
        scope = {"body": body, "category": category, "department": department}
        counts = self._window_counts(first, end, days, scope)
        tested = len(counts)
        threshold = ALPHA / max(tested, 1)
        flagged: list[tuple[tuple[str, str], int, float, float]] = []
        for group, windows in counts.items():
            count = windows.get(0, 0)
            rate = (sum(n for w, n in windows.items() if w > 0) + 0.5) / baseline
            log_p = upper_tail_log10(count, rate)
            if count >= MIN_COUNT and log_p < math.log10(threshold):
                flagged.append((group, count, rate, log_p))
        if not flagged:
            return []
        window = StatsFilter(
            body=body,
            category=category,
            department=department,
            received_from=start,
            received_to=end,
        )
        figures = {
            (g.keys.get("category") or "", str(g.keys["body"])): g
            for g in self.statistics.statistics(
                window, [Dimension.CATEGORY, Dimension.BODY], None, now
            )
        }
        found = [
            Hotspot(
                category=group[0] or None,
                body=group[1],
                count=count,
                baseline_mean=rate,
                growth=count / rate,
                p_value_log10=log_p,
                sharpness=-log_p,
                figures=figures.get(group),
                start=start,
                end=end,
            )
            for group, count, rate, log_p in flagged
        ]
        return sorted(found, key=lambda h: (-h.sharpness, -h.growth, h.body, h.category or ""))

    def _window_counts(
        self, first: date, end: date, days: int, scope: dict[str, str | None]
    ) -> dict[tuple[str, str], dict[int, int]]:
        """Appeals per (category, body) and window (0: the period, 1.. back in time)."""
        where = ["grain = 'd'", "bucket >= ?", "bucket <= ?"]
        params: list[Any] = [first.toordinal(), end.toordinal()]
        for column, value in scope.items():
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        statement = (
            f"SELECT category, body, bucket, sum(n) FROM {CELLS} WHERE {' AND '.join(where)} "
            "GROUP BY category, body, bucket"
        )
        counts: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        with self.db.reading() as cursor:
            cursor.execute(self.db.sql(statement), params)
            for category_value, body_value, bucket, n in map(tuple, cursor.fetchall()):
                back = (end.toordinal() - int(bucket)) // days
                counts[(str(category_value), str(body_value))][back] += int(n)
        return counts
