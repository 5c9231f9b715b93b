"""A rebuild's bulk load of the statistics tables: one staged row per appeal, summed in SQL.

A rebuild only adds appeals, into empty tables. Instead of summing cells in memory and
merging partial sums, it appends each appeal's ``Contribution`` (computed by the same
function as the live projection) to a scratch table, and one ``GROUP BY`` per table then
spreads every row over its day and month cells. The store does the summing, off the
Python process, and memory holds one page of appeals, never the cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.calendar import ProductionCalendar
from projections.contribution import FIRST_RESPONSE, RESOLUTION, VALUES, contribution
from projections.db import Cursor, Database
from projections.state import AppealState

STAGE = "stage_contributions"
DIMS = ("channel", "category", "body", "department")
BINS = ("first_response_bin", "resolution_bin")
COLUMNS = ("day", "month", *DIMS, *VALUES, *BINS, "due_hour")
_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (day INTEGER NOT NULL, month INTEGER NOT NULL, "
    + ", ".join(f"{d} TEXT NOT NULL" for d in DIMS)
    + ", "
    + ", ".join(f"{v} BIGINT NOT NULL" for v in VALUES)
    + ", first_response_bin INTEGER, resolution_bin INTEGER, due_hour BIGINT)"
)
# Every staged row once per grain: its day cell and its month cell.
_GRAINS = (
    f"(SELECT g.grain AS grain, CASE g.grain WHEN 'd' THEN s.day ELSE s.month END AS bucket, "
    f"{', '.join(f's.{c}' for c in COLUMNS[2:])} FROM {STAGE} s, "
    "(SELECT 'd' AS grain UNION ALL SELECT 'm') g) AS c"
)
_CELL = "grain, bucket, " + ", ".join(DIMS)


def stage(
    db: Database, cursor: Cursor, calendar: ProductionCalendar, states: Sequence[AppealState]
) -> None:
    """Append the contributions of new appeals to the scratch table."""
    cursor.execute(_DDL)
    db.copy_rows(cursor, STAGE, COLUMNS, [_row(state, calendar) for state in states])


def settle(db: Database, cursor: Cursor, cells: str, hist: str, due: str) -> None:
    """Sum the scratch table into the empty ``cells``, ``hist`` and ``due`` tables."""
    cursor.execute(_DDL)
    totals = ", ".join(f"sum({v})" for v in VALUES)
    cursor.execute(
        f"INSERT INTO {cells} ({_CELL}, {', '.join(VALUES)}) "
        f"SELECT {_CELL}, {totals} FROM {_GRAINS} GROUP BY {_CELL}"
    )
    spread = " UNION ALL ".join(
        f"SELECT {_CELL}, '{metric}' AS metric, {column} AS bin FROM {_GRAINS} "
        f"WHERE {column} IS NOT NULL"
        for metric, column in ((FIRST_RESPONSE, BINS[0]), (RESOLUTION, BINS[1]))
    )
    cursor.execute(
        f"INSERT INTO {hist} ({_CELL}, metric, bin, n) "
        f"SELECT {_CELL}, metric, bin, count(*) FROM ({spread}) AS h "
        f"GROUP BY {_CELL}, metric, bin"
    )
    cursor.execute(
        f"INSERT INTO {due} ({_CELL}, due_hour, n) SELECT {_CELL}, due_hour, count(*) "
        f"FROM {_GRAINS} WHERE due_hour IS NOT NULL GROUP BY {_CELL}, due_hour"
    )
    cursor.execute(f"DROP TABLE {STAGE}")


def _row(state: AppealState, calendar: ProductionCalendar) -> tuple[Any, ...]:
    part = contribution(state, calendar)
    return (
        part.day,
        part.month,
        *part.dims,
        *part.values,
        part.first_response_bin,
        part.resolution_bin,
        part.due_hour,
    )
