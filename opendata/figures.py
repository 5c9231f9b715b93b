"""Rows of the figure resources, read through the public statistics (never the appeals)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from ledger.values import Status
from opendata.resources import Resource
from projections.db import Database
from projections.hotspots import HotspotQuery
from projections.models import Period, StatsFilter, StatsGroup
from projections.pattern_store import PatternStore
from projections.public_problems import month_problems
from projections.public_statistics import PublicStatistics
from projections.rankings import Level, Metric, Rankings
from projections.statistics_query import StatisticsQuery
from projections.statistics_view import CELLS

Row = dict[str, object]


def month_end(month: date) -> date:
    """The last day of ``month``'s month."""
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class Figures:
    """The public's figures of whole months and their days, with suppression applied."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        threshold: int,
        min_n: int,
        local_date: Callable[[datetime], date] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.threshold = threshold
        self.min_n = min_n
        self.local_date = local_date or (lambda instant: instant.date())
        """The calendar's date of an instant (the current month's problems end today)."""
        query = StatisticsQuery(db)
        # The duty builds the package: it saves each month's pattern for every API process.
        self.public = PublicStatistics(db, query, PatternStore(db, remember=True))
        self.rankings = Rankings(self.public)
        self.hotspots = HotspotQuery(db, query)

    def months(self) -> list[date]:
        """Every month with appeals, in order."""
        statement = self.db.sql(
            f"SELECT DISTINCT bucket FROM {CELLS} WHERE grain = 'm' ORDER BY bucket"
        )
        with self.db.reading() as cursor:
            cursor.execute(statement)
            return [date.fromordinal(int(row[0])) for row in cursor.fetchall()]

    def rows(self, resource: Resource, months: list[date], now: datetime) -> list[Row]:
        """The resource's rows over ``months`` (consecutive or not), as of ``now``."""
        if not months:
            return []
        if resource.problems:
            today = self.local_date(now)
            return [
                {
                    "period": p.month.strftime("%Y-%m"),
                    "period_start": p.start.isoformat(),
                    "period_end": p.end.isoformat(),
                    "rank": p.rank,
                    "category": p.category,
                    "body": p.body,
                }
                for month in months
                for p in month_problems(self.hotspots, month, today, now, self.threshold)
            ]
        if resource.rankings:
            return [
                {
                    "period": month.strftime("%Y-%m"),
                    "level": level.value,
                    "metric": metric.value,
                    "body": row.body,
                    "department": row.department,
                    "source": row.source,
                    "rank": row.rank,
                    "unranked": row.unranked,
                    "n": row.n,
                    "estimate": _round(row.estimate, 6),
                    "lower": _round(row.lower, 6),
                    "upper": _round(row.upper, 6),
                }
                for month in months
                for level in Level
                for metric in Metric
                for row in self.rankings.rank(month, level, metric, now, self.threshold, self.min_n)
            ]
        if resource.daily:
            groups = [
                group
                for month in months
                for group in self.public.daily(month, resource.group_by, now, self.threshold)
            ]
        else:
            window = StatsFilter(received_from=months[0], received_to=month_end(months[-1]))
            found = self.public.statistics(
                window, resource.group_by, Period.MONTH, now, self.threshold
            )
            wanted = set(months)
            groups = [g for g in found if g.keys["period"] in wanted]
        return [_row(resource, group) for group in groups]


def _row(resource: Resource, group: StatsGroup) -> Row:
    period = group.keys["period"]
    assert isinstance(period, date)
    row: Row = {"period": period.isoformat() if resource.daily else period.strftime("%Y-%m")}
    for dimension in resource.group_by:
        row[dimension.value] = group.keys.get(dimension.value) or None
    hidden = group.suppressed
    share = group.on_time_share
    figures: Row = {
        "received": group.count,
        "problems": group.problems,
        "answered": group.answered_with_due,
        "on_time": round(share * group.answered_with_due) if share is not None else 0,
        "on_time_share": _round(share, 4),
        "closed": group.counts_by_status[Status.CLOSED],
        "overdue_now": group.overdue_now,
        "first_response_p50": _round(group.first_response_p50, 1),
        "first_response_p90": _round(group.first_response_p90, 1),
        "resolution_p50": _round(group.resolution_p50, 1),
        "resolution_p90": _round(group.resolution_p90, 1),
    }
    row["suppressed"] = hidden
    row.update({name: None if hidden else value for name, value in figures.items()})
    rating_hidden = hidden or group.rating_suppressed
    row["rating_suppressed"] = rating_hidden
    row["rated"] = None if rating_hidden else group.rated_count
    row["average_rating"] = None if rating_hidden else _round(group.average_rating, 3)
    return row


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
