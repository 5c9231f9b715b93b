"""A statistics query reads pre-aggregated cells only: its cost does not grow with appeals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import build
from api.settings import Settings
from projections.models import Dimension, Period, StatsFilter
from projections.read_models import ReadModels
from tests.integration.read_cost import RecordingDatabase, recording_read_side, rows_read
from tests.integration.receipts import receive_appeals

BASE = datetime(2025, 4, 7, 8, tzinfo=UTC)


def _rows_read(
    models: ReadModels,
    db: RecordingDatabase,
    group_by: tuple[Dimension, ...] = (Dimension.CHANNEL, Dimension.BODY),
    where: StatsFilter | None = None,
) -> dict[str, int]:
    return rows_read(
        db, lambda: models.statistics(where or StatsFilter(), list(group_by), Period.WEEK)
    )


@pytest.mark.postgres
def test_statistics_rows_read_do_not_grow_with_the_number_of_appeals(postgres_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url}))
    side, db = recording_read_side(container)
    models = ReadModels(db, side.runner.names, clock=lambda: BASE + timedelta(days=60))

    def receive(start: int, count: int) -> None:
        receive_appeals(
            container.ledger,
            "cost",
            range(start, start + count),
            lambda n: BASE + timedelta(minutes=n),
            category="дороги",
            source=lambda n: f"pos:page-{n % 2}",
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
