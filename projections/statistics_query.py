"""Statistics read from the pre-aggregated cells; a query never touches the appeals table.

Definitions (what users rely on):

- ``count``: appeals received in the group. ``counts_by_status``: their current status.
- ``problems``: the same appeals less those closed as a duplicate of another appeal, so a
  problem several citizens wrote about counts once (under the appeal the others were closed
  as duplicates of). Reopening a duplicate counts it again.
  A forwarded appeal is counted under the body it was forwarded to, as received by that body
  at the forwarding (``AppealState.body_received_at``): its period and resolution time start
  there. First-response time stays the citizen's wait, from the original receipt.
- First-response time: received → first answer, interim or final. Appeals with no answer yet
  are left out (they are censored: their time is unknown, not zero).
- Resolution time: received → closed, over appeals that are closed now. Open appeals, and
  reopened appeals until they close again, are left out; they show in ``counts_by_status``
  and ``overdue_now`` (a reopen clears the answer and starts a new answer period, so a
  reopened appeal left unanswered becomes overdue).
- Percentiles: nearest rank over fixed log-scale bins, within 1 % for durations of one second
  or more (``projections.histogram``).
- ``on_time_share``: among appeals whose first final answer was given under an answer due date
  (registered appeals), the share where that first final answer came before the due date then
  in force, with any extension counted (59-ФЗ ст. 12 counts 30 days to the answer; a re-answer
  after a reopen never rewrites the verdict). The denominator is ``answered_with_due``;
  unanswered appeals are not in it.
- ``overdue_now``: open appeals whose earliest pending obligation (registration, first response,
  answer) is overdue. The projection keeps, per cell, counts of open appeals by their next due
  instant rounded up to a whole UTC hour, and the query sums the hours that have begun by
  ``now`` (O(cells x pending due hours), not O(appeals)). Registration and answer dues fall on
  local midnights, which are whole hours, so they count exactly when due; a first-response due
  between hours is counted at the next whole hour, at most one hour late.
- ``average_rating``: mean score over ``rated_count`` rated appeals.

Cost: the query reads only cells of one grain (day or month) that match the filter, so rows
read grow with the number of groups times the dimension values and days folded into each
group, never with the number of appeals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from projections.codec import HOUR_US, to_us
from projections.contribution import FIRST_RESPONSE, STATUSES, VALUES
from projections.db import Database
from projections.histogram import percentile
from projections.models import Dimension, Period, StatsFilter, StatsGroup
from projections.statistics_view import CELLS, DUE, HIST

GroupKey = tuple[Any, ...]


@dataclass
class _Sums:
    values: list[int] = field(default_factory=lambda: [0] * len(VALUES))
    first: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    resolution: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    overdue: int = 0


def period_start(day: date, period: Period) -> date:
    """The first day of the period ``day`` falls in (weeks start on Monday)."""
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return day


class StatisticsQuery:
    """Aggregates cells into groups at query time, in O(cells of the groups)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def statistics(
        self,
        filter: StatsFilter,
        group_by: Sequence[Dimension],
        period: Period | None,
        now: datetime,
    ) -> list[StatsGroup]:
        """One ``StatsGroup`` per combination of ``group_by`` values (and period)."""
        dims = [Dimension(d).value for d in dict.fromkeys(group_by)]
        ranged = filter.received_from is not None or filter.received_to is not None
        grain = "d" if ranged or period in (Period.DAY, Period.WEEK) else "m"
        where: list[str] = ["grain = ?"]
        params: list[object] = [grain]
        for dimension in Dimension:
            value = getattr(filter, dimension.value)
            if value is not None:
                where.append(f"{dimension.value} = ?")
                params.append(str(value))
        if filter.received_from is not None:
            where.append("bucket >= ?")
            params.append(filter.received_from.toordinal())
        if filter.received_to is not None:
            where.append("bucket <= ?")
            params.append(filter.received_to.toordinal())
        keys = [*dims, "bucket"] if period is not None else dims
        select = ", ".join(keys)
        lead = f"{select}, " if keys else ""
        group = f" GROUP BY {select}" if keys else ""
        clause = " AND ".join(where)
        sums: dict[GroupKey, _Sums] = defaultdict(_Sums)
        with self.db.reading() as cursor:
            totals = ", ".join(f"SUM({v})" for v in VALUES)
            cursor.execute(
                self.db.sql(f"SELECT {lead}{totals} FROM {CELLS} WHERE {clause}{group}"), params
            )
            for row in map(tuple, cursor.fetchall()):
                if row[len(keys)] is None:
                    continue  # an aggregate over no cells
                target = sums[self._key(row[: len(keys)], period)]
                for i, value in enumerate(row[len(keys) :]):
                    target.values[i] += int(value)
            cursor.execute(
                self.db.sql(
                    f"SELECT {lead}metric, bin, SUM(n) FROM {HIST} WHERE {clause} "
                    f"GROUP BY {lead}metric, bin"
                ),
                params,
            )
            for row in map(tuple, cursor.fetchall()):
                target = sums[self._key(row[: len(keys)], period)]
                metric, index, n = row[len(keys) :]
                histogram = target.first if metric == FIRST_RESPONSE else target.resolution
                histogram[int(index)] += int(n)
            now_hour = (to_us(now) or 0) // HOUR_US
            cursor.execute(
                self.db.sql(
                    f"SELECT {lead}SUM(n) FROM {DUE} WHERE {clause} AND due_hour <= ?{group}"
                ),
                [*params, now_hour],
            )
            for row in map(tuple, cursor.fetchall()):
                if row[len(keys)] is not None:
                    sums[self._key(row[: len(keys)], period)].overdue += int(row[len(keys)])
        groups = [self._group(dims, period, key, s) for key, s in sums.items() if s.values[0]]
        return sorted(groups, key=lambda g: tuple(str(v) for v in g.keys.values()))

    @staticmethod
    def _key(raw: Sequence[Any], period: Period | None) -> GroupKey:
        if period is None:
            return tuple(raw)
        return (*raw[:-1], period_start(date.fromordinal(int(raw[-1])), period))

    @staticmethod
    def _group(dims: list[str], period: Period | None, key: GroupKey, s: _Sums) -> StatsGroup:
        keys: dict[str, str | date | None] = {d: (key[i] or None) for i, d in enumerate(dims)}
        if period is not None:
            keys["period"] = key[-1]
        values = dict(zip(VALUES, s.values, strict=True))
        answered = values["answered_with_due"]
        rated = values["rated"]
        return StatsGroup(
            keys=keys,
            count=values["n"],
            problems=values["problems"],
            counts_by_status={st: values[f"n_{st.value}"] for st in STATUSES},
            first_response_p50=percentile(s.first, 50),
            first_response_p90=percentile(s.first, 90),
            resolution_p50=percentile(s.resolution, 50),
            resolution_p90=percentile(s.resolution, 90),
            on_time_share=values["on_time"] / answered if answered else None,
            answered_with_due=answered,
            overdue_now=s.overdue,
            average_rating=values["rating_sum"] / rated if rated else None,
            rated_count=rated,
        )
