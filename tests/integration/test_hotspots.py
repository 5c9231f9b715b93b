"""Hotspots on real stores: planted growing problems come first, and the cost is O(groups)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from demo.surge import PLANTED
from projections.models import Period
from projections.read_models import ReadModels
from tests.integration.demo_views import UNTIL, container_on, demo_views
from tests.integration.read_cost import recording_read_side, rows_read
from tests.integration.receipts import receive_appeals

END = date(2025, 5, 31)


def test_planted_growing_problems_are_the_top_hotspots(store_url: str) -> None:
    container = container_on(store_url)
    side = demo_views(container, 900, seed=7, surge=60)

    found = side.read_models.hotspots(Period.WEEK, END, 8)

    planted = {(category, body) for category, body, _ in PLANTED}
    assert {(h.category, h.body) for h in found[:2]} == planted
    assert all(h.count >= 30 and h.growth > 5 and h.p_value_log10 < -10 for h in found[:2])
    assert [h.sharpness for h in found] == sorted((h.sharpness for h in found), reverse=True)
    assert all(h.figures is not None and h.figures.count == h.count for h in found[:2])
    container.close()


def test_a_group_without_growth_is_not_a_hotspot(store_url: str) -> None:
    container = container_on(store_url)
    side = demo_views(container, 900, seed=7)

    found = side.read_models.hotspots(Period.WEEK, END, 8)

    assert not {(h.category, h.body) for h in found} & {(c, b) for c, b, _ in PLANTED}
    container.close()


@pytest.mark.postgres
def test_hotspot_rows_read_do_not_grow_with_the_number_of_appeals(postgres_url: str) -> None:
    container = container_on(postgres_url)
    side, db = recording_read_side(container)
    models = ReadModels(db, side.runner.names, clock=lambda: UNTIL)

    def receive(start: int, count: int) -> None:
        receive_appeals(
            container.ledger,
            "hot",
            range(start, start + count),
            lambda n: UNTIL - timedelta(days=1, minutes=n % 60),
            category="дороги",
        )
        side.runner.catch_up()

    def hotspots() -> None:
        assert models.hotspots(Period.WEEK, END, 8)

    receive(0, 20)
    few = rows_read(db, hotspots)
    receive(20, 400)
    many = rows_read(db, hotspots)

    assert many == few
    assert not {"appeals_view", "workload_open", container.events_table} & set(many)
    assert "stats_cells" in many
    container.close()
