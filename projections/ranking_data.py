"""What rankings read: per body, department or source of one month, counts, bins and waits.

Three grouped reads of the month's cells (``stats_cells``, ``stats_hist``, ``stats_wait``),
so the rows read grow with groups times bins and waiting hours, never with appeals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from projections.contribution import FIRST_RESPONSE
from projections.db import Database
from projections.statistics_view import CELLS, HIST, WAIT

Row = tuple[Any, ...]
GroupKey = tuple[str, ...]  # (body,), (body, department) or (channel, source); missing: ''


@dataclass
class GroupData:
    """One group's sums for a month."""

    appeals: int = 0
    on_time: int = 0
    answered: int = 0
    first_response: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    resolution: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    first_waiting: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    resolution_waiting: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def read_groups(db: Database, month: date, keys: tuple[str, ...]) -> dict[GroupKey, GroupData]:
    """Sums per group of ``keys`` (dimensions of the cells) in ``month``."""
    where = "WHERE grain = 'm' AND bucket = ?"
    params = [month.replace(day=1).toordinal()]
    groups: dict[GroupKey, GroupData] = defaultdict(GroupData)
    with db.reading() as cursor:

        def summed(table: str, by: tuple[str, ...], sums: str) -> Iterator[tuple[GroupData, Row]]:
            """Each group's data, and the rest of its row: the columns ``by``, then ``sums``."""
            grouped = ", ".join((*keys, *by))
            cursor.execute(
                db.sql(f"SELECT {grouped}, {sums} FROM {table} {where} GROUP BY {grouped}"), params
            )
            for row in map(tuple, cursor.fetchall()):
                yield groups[tuple(str(v) for v in row[: len(keys)])], row[len(keys) :]

        for data, counts in summed(CELLS, (), "SUM(n), SUM(on_time), SUM(answered_with_due)"):
            data.appeals, data.on_time, data.answered = (int(v) for v in counts)
        for table, column, first, resolution in (
            (HIST, "bin", "first_response", "resolution"),
            (WAIT, "since_hour", "first_waiting", "resolution_waiting"),
        ):
            for data, (metric, value, n) in summed(table, ("metric", column), "SUM(n)"):
                name = first if metric == FIRST_RESPONSE else resolution
                getattr(data, name)[int(value)] += int(n)
    return dict(groups)
