"""Hotspots on real stores: planted growing problems come first, and the cost is O(groups)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from api.bootstrap import build, read_side
from api.commands.demo import load_demo
from api.settings import Settings
from demo.surge import PLANTED
from projections.models import Period
from projections.read_models import ReadModels
from tests.integration.test_projections_statistics_cost import RecordingDatabase, _scanned

UNTIL = datetime(2025, 6, 1, tzinfo=UTC)
END = date(2025, 5, 31)


def test_planted_growing_problems_are_the_top_hotspots(store_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url}))
    load_demo(container, 900, seed=7, until=UNTIL, quiet=True, surge=60)
    side = read_side(container)
    side.runner.setup()
    side.runner.catch_up()

    found = side.read_models.hotspots(Period.WEEK, END, 8)

    planted = {(category, body) for category, body, _ in PLANTED}
    assert {(h.category, h.body) for h in found[:2]} == planted
    assert all(h.count >= 30 and h.growth > 5 and h.p_value_log10 < -10 for h in found[:2])
    assert [h.sharpness for h in found] == sorted((h.sharpness for h in found), reverse=True)
    assert all(h.figures is not None and h.figures.count == h.count for h in found[:2])
    container.close()


def test_a_group_without_growth_is_not_a_hotspot(store_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url}))
    load_demo(container, 900, seed=7, until=UNTIL, quiet=True)
    side = read_side(container)
    side.runner.setup()
    side.runner.catch_up()

    found = side.read_models.hotspots(Period.WEEK, END, 8)

    assert not {(h.category, h.body) for h in found} & {(c, b) for c, b, _ in PLANTED}
    container.close()


@pytest.mark.postgres
def test_hotspot_rows_read_do_not_grow_with_the_number_of_appeals(postgres_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url}))
    side = read_side(container)
    side.runner.setup()
    db = RecordingDatabase(side.db.datastore, container.events_table)  # type: ignore[attr-defined]
    models = ReadModels(db, side.runner.names, clock=lambda: UNTIL)

    def receive(start: int, count: int) -> None:
        for n in range(start, start + count):
            container.ledger.receive_appeal(
                channel="pos",
                external_id=f"hot-{n}",
                text="Яма",
                body="Администрация",
                category="дороги",
                at=UNTIL - timedelta(days=1, minutes=n % 60),
            )
        side.runner.catch_up()

    def rows_read() -> dict[str, int]:
        db.seen = []
        assert models.hotspots(Period.WEEK, END, 8)
        totals: dict[str, int] = {}
        for statement, params in list(db.seen):
            for table, n in _scanned(db, statement, params).items():
                totals[table] = totals.get(table, 0) + n
        return totals

    receive(0, 20)
    few = rows_read()
    receive(20, 400)
    many = rows_read()

    assert many == few
    assert not {"appeals_view", "workload_open", container.events_table} & set(many)
    assert "stats_cells" in many
    container.close()
