"""What a read costs on PostgreSQL: each statement it ran, explained with ``ANALYZE``.

A cost test reads once, lets ten times the appeals fall into the same groups, and reads
again: the rows read per table must stay the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from api.bootstrap import read_side
from api.container import Container
from projections.assembly import ReadSide
from projections.db import Cursor
from projections.postgres_db import PostgresDatabase


class _Recorder:
    """A real cursor that also notes each statement it runs."""

    def __init__(self, cursor: Cursor, seen: list[tuple[str, Any]]) -> None:
        self.cursor, self.seen = cursor, seen

    def execute(self, statement: Any, params: Any = ()) -> Any:
        self.seen.append((statement, params))
        return self.cursor.execute(statement, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


class RecordingDatabase(PostgresDatabase):
    """The PostgreSQL database, noting every read statement."""

    seen: list[tuple[str, Any]]

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with super().reading() as cursor:
            yield _Recorder(cursor, self.seen)


def recording_read_side(container: Container) -> tuple[ReadSide, RecordingDatabase]:
    """The container's read side, set up, and its database noting what a read runs."""
    side = read_side(container)
    side.runner.setup()
    db = RecordingDatabase(side.db.datastore, container.events_table)  # type: ignore[attr-defined]
    return side, db


def scanned(db: PostgresDatabase, statement: str, params: Any) -> dict[str, int]:
    """The rows one statement reads, per table, as PostgreSQL counted them running it."""
    with db.reading() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    rows: dict[str, int] = {}

    def walk(node: dict[str, Any]) -> None:
        if "Relation Name" in node:
            name = node["Relation Name"]
            rows[name] = rows.get(name, 0) + node["Actual Rows"] * node["Actual Loops"]
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return rows


def rows_read(db: RecordingDatabase, work: Callable[[], object]) -> dict[str, int]:
    """The rows per table that every statement ``work`` runs on ``db`` reads."""
    db.seen = []
    work()
    totals: dict[str, int] = {}
    for statement, params in list(db.seen):
        for table, n in scanned(db, statement, params).items():
            totals[table] = totals.get(table, 0) + n
    return totals
