"""A statistics query reads pre-aggregated cells only: its cost does not grow with appeals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.bootstrap import build, read_side
from api.settings import Settings
from projections.db import Cursor
from projections.models import Dimension, Period, StatsFilter
from projections.postgres_db import PostgresDatabase
from projections.read_models import ReadModels

BASE = datetime(2025, 4, 7, 8, tzinfo=UTC)


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


def _scanned(db: PostgresDatabase, statement: str, params: Any) -> dict[str, int]:
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


def _rows_read(
    models: ReadModels,
    db: RecordingDatabase,
    group_by: tuple[Dimension, ...] = (Dimension.CHANNEL, Dimension.BODY),
    where: StatsFilter | None = None,
) -> dict[str, int]:
    db.seen = []
    models.statistics(where or StatsFilter(), list(group_by), Period.WEEK)
    totals: dict[str, int] = {}
    for statement, params in list(db.seen):
        for table, n in _scanned(db, statement, params).items():
            totals[table] = totals.get(table, 0) + n
    return totals


@pytest.mark.postgres
def test_statistics_rows_read_do_not_grow_with_the_number_of_appeals(postgres_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url}))
    side = read_side(container)
    side.runner.setup()
    db = RecordingDatabase(side.db.datastore, container.events_table)  # type: ignore[attr-defined]
    models = ReadModels(db, side.runner.names, clock=lambda: BASE + timedelta(days=60))

    def receive(start: int, count: int) -> None:
        for n in range(start, start + count):
            container.ledger.receive_appeal(
                channel="pos",
                external_id=f"cost-{n}",
                text="Яма",
                body="Администрация",
                category="дороги",
                at=BASE + timedelta(minutes=n),
                source=f"pos:page-{n % 2}",
            )
        side.runner.catch_up()

    by_source = (Dimension.SOURCE, Dimension.BODY)
    one_page = StatsFilter(source="pos:page-1")
    receive(0, 20)
    few = _rows_read(models, db)
    few_sources = (_rows_read(models, db, by_source), _rows_read(models, db, (), one_page))
    receive(20, 200)
    many = _rows_read(models, db)
    many_sources = (_rows_read(models, db, by_source), _rows_read(models, db, (), one_page))

    assert many == few
    assert many_sources == few_sources
    assert len(models.statistics(StatsFilter(), [Dimension.SOURCE], None)) == 2
    assert not {"appeals_view", "workload_open", container.events_table} & set(many)
    assert {"stats_cells", "stats_due"} <= set(many)
    assert sum(many.values()) <= 4
    container.close()
