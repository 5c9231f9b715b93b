"""A rebuild's bulk load of the statistics tables: one staged row per appeal, summed in SQL.

A rebuild only adds appeals, into empty tables. Instead of summing cells in memory and
merging partial sums, it appends each appeal's ``Contribution`` (computed by the same
function as the live projection) to a scratch table, and one ``GROUP BY`` per table then
spreads every row over its day and month cells. The store does the summing, off the
Python process, and memory holds one page of appeals, never the cells.

Staged rows are all integers: the five text dimensions become a small id, interned here and
staged once each, so the rows are cheap to write and the sums are grouped by integers; the
dimensions' names are joined back in as the sums are inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.calendar import ProductionCalendar
from projections.appeal_state import AppealState
from projections.contribution import FIRST_RESPONSE, RESOLUTION, VALUES, contribution
from projections.db import Cursor, Database

STAGE, DIMS_STAGE = "stage_contributions", "stage_dims"
DIMS = ("channel", "category", "body", "department", "source")
WAITS = ("first_response_since", "resolution_since")
COLUMNS = (
    "day",
    "month",
    "dims",
    *VALUES,
    "first_response_bin",
    "resolution_bin",
    "due_hour",
    *WAITS,
)
_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (day INTEGER NOT NULL, month INTEGER NOT NULL, "
    "dims INTEGER NOT NULL, "
    + ", ".join(f"{v} BIGINT NOT NULL" for v in VALUES)
    + ", first_response_bin INTEGER, resolution_bin INTEGER, due_hour BIGINT, "
    "first_response_since BIGINT, resolution_since BIGINT)",
    f"CREATE TEMP TABLE IF NOT EXISTS {DIMS_STAGE} (dims INTEGER NOT NULL, "
    + ", ".join(f"{d} TEXT NOT NULL" for d in DIMS)
    + ")",
)
# Every staged row once per grain: its day cell and its month cell.
_GRAINS = (
    "(SELECT g.grain AS grain, CASE g.grain WHEN 'd' THEN s.day ELSE s.month END AS bucket, "
    f"{', '.join(f's.{c}' for c in COLUMNS[2:])} FROM {STAGE} s, "
    "(SELECT 'd' AS grain UNION ALL SELECT 'm') g) AS c"
)
_DIMS = ", ".join(f"r.{d}" for d in DIMS)
_CELL = "grain, bucket, dims"


class StatisticsLoad:
    """Stages contributions page by page, then settles them into the empty tables."""

    def __init__(self, calendar: ProductionCalendar) -> None:
        self.calendar = calendar
        self._dims: dict[tuple[str, ...], int] = {}
        self._created = False

    def stage(self, db: Database, cursor: Cursor, states: Sequence[AppealState]) -> None:
        """Append the contributions of new appeals to the scratch table."""
        self._create(cursor)
        db.copy_rows(cursor, STAGE, COLUMNS, [self._row(state) for state in states])

    def settle(
        self, db: Database, cursor: Cursor, cells: str, hist: str, due: str, wait: str
    ) -> None:
        """Sum the scratch table into the empty ``cells``, ``hist``, ``due`` and ``wait``."""
        self._create(cursor)
        db.copy_rows(cursor, DIMS_STAGE, ("dims", *DIMS), [(i, *d) for d, i in self._dims.items()])
        for table in (STAGE, DIMS_STAGE):
            # Row counts for the planner: temporary tables are never auto-analyzed.
            cursor.execute(f"ANALYZE {table}")
        totals = ", ".join(f"sum({v}) AS {v}" for v in VALUES)
        _insert(
            cursor,
            cells,
            VALUES,
            f"SELECT {_CELL}, {totals} FROM {_GRAINS} GROUP BY {_CELL}",
        )
        spread = " UNION ALL ".join(
            f"SELECT {_CELL}, '{metric}' AS metric, {column} AS bin "
            f"FROM {_GRAINS} WHERE {column} IS NOT NULL"
            for metric, column in (
                (FIRST_RESPONSE, "first_response_bin"),
                (RESOLUTION, "resolution_bin"),
            )
        )
        _insert(
            cursor,
            hist,
            ("metric", "bin", "n"),
            f"SELECT {_CELL}, metric, bin, count(*) AS n FROM ({spread}) AS h "
            f"GROUP BY {_CELL}, metric, bin",
        )
        _insert(
            cursor,
            due,
            ("due_hour", "n"),
            f"SELECT {_CELL}, due_hour, count(*) AS n FROM {_GRAINS} "
            f"WHERE due_hour IS NOT NULL GROUP BY {_CELL}, due_hour",
        )
        waiting = " UNION ALL ".join(
            f"SELECT 'm' AS grain, month AS bucket, dims, '{metric}' AS metric, "
            f"{column} AS since_hour FROM {STAGE} WHERE {column} IS NOT NULL"
            for metric, column in zip((FIRST_RESPONSE, RESOLUTION), WAITS, strict=True)
        )
        _insert(
            cursor,
            wait,
            ("metric", "since_hour", "n"),
            f"SELECT {_CELL}, metric, since_hour, count(*) AS n FROM ({waiting}) AS w "
            f"GROUP BY {_CELL}, metric, since_hour",
        )
        for table in (STAGE, DIMS_STAGE):
            cursor.execute(f"DROP TABLE {table}")
        self._dims.clear()
        self._created = False

    def _create(self, cursor: Cursor) -> None:
        if not self._created:
            for statement in _DDL:
                cursor.execute(statement)
            self._created = True

    def _row(self, state: AppealState) -> tuple[Any, ...]:
        part = contribution(state, self.calendar)
        dims = self._dims.setdefault(part.dims, len(self._dims))
        return (
            part.day,
            part.month,
            dims,
            *part.values,
            part.first_response_bin,
            part.resolution_bin,
            part.due_hour,
            part.first_response_since,
            part.resolution_since,
        )


def _insert(cursor: Cursor, table: str, values: Sequence[str], grouped: str) -> None:
    # ``grouped`` yields a cell (grain, bucket, dims) and ``values``: name the dimensions.
    columns = ", ".join(f"s.{v}" for v in values)
    cursor.execute(
        f"INSERT INTO {table} (grain, bucket, {', '.join(DIMS)}, {', '.join(values)}) "
        f"SELECT s.grain, s.bucket, {_DIMS}, {columns} "
        f"FROM ({grouped}) AS s JOIN {DIMS_STAGE} r ON r.dims = s.dims"
    )
