"""What rankings read: per body, department or source of one month, counts, bins and waits.

Three grouped reads of the month's cells (``stats_cells``, ``stats_hist``, ``stats_wait``),
so the rows read grow with groups times bins and waiting hours, never with appeals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from projections.contribution import FIRST_RESPONSE
from projections.db import Database
from projections.statistics_view import CELLS, HIST, WAIT

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
    select = ", ".join(keys)
    where = "WHERE grain = 'm' AND bucket = ?"
    params = [month.replace(day=1).toordinal()]
    width = len(keys)
    groups: dict[GroupKey, GroupData] = defaultdict(GroupData)
    with db.reading() as cursor:
        cursor.execute(
            db.sql(
                f"SELECT {select}, SUM(n), SUM(on_time), SUM(answered_with_due) "
                f"FROM {CELLS} {where} GROUP BY {select}"
            ),
            params,
        )
        for row in map(tuple, cursor.fetchall()):
            data = groups[tuple(str(v) for v in row[:width])]
            data.appeals, data.on_time, data.answered = (int(v) for v in row[width:])
        for table, column, first, resolution in (
            (HIST, "bin", "first_response", "resolution"),
            (WAIT, "since_hour", "first_waiting", "resolution_waiting"),
        ):
            cursor.execute(
                db.sql(
                    f"SELECT {select}, metric, {column}, SUM(n) FROM {table} {where} "
                    f"GROUP BY {select}, metric, {column}"
                ),
                params,
            )
            for row in map(tuple, cursor.fetchall()):
                data = groups[tuple(str(v) for v in row[:width])]
                metric, value, n = row[width:]
                name = first if metric == FIRST_RESPONSE else resolution
                getattr(data, name)[int(value)] += int(n)
    return dict(groups)
