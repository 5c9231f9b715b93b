"""Rankings and open data read cells only: their cost does not grow with appeals.

Rankings of every level (sources too) and every resource of the package (the sharpest
problems too, which read the day cells of nine weeks) are covered.

Proved as the statistics cost is (``tests/integration/read_cost.py``): every statement a
public query runs is explained on PostgreSQL with ``ANALYZE``, and the rows it read per table
stay the same when ten times the appeals fall into the same groups.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import build
from api.settings import Settings
from ledger.values import Actor, Role
from opendata.figures import Figures
from opendata.resources import PROBLEMS, RESOURCES
from projections.public_statistics import PublicStatistics
from projections.rankings import Level, Metric, Rankings
from projections.statistics_query import StatisticsQuery
from tests.api.inprocess import REPLAY_CLOCK_SKEW
from tests.integration.read_cost import recording_read_side, rows_read
from tests.integration.receipts import receive_appeals

BASE = datetime(2025, 4, 7, 8, tzinfo=UTC)
NOW = BASE + timedelta(days=60)
OFFICER = Actor("cost-officer", Role.OPERATOR)


@pytest.mark.postgres
def test_rankings_and_open_data_rows_read_do_not_grow_with_the_number_of_appeals(
    postgres_url: str,
) -> None:
    container = build(
        Settings.from_environ(
            {"APPEALS_DATABASE_URL": postgres_url, "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW}
        )
    )
    side, db = recording_read_side(container)
    rankings = Rankings(PublicStatistics(db, StatisticsQuery(db)))
    # "Today" is the day of the appeals: the month's problems are that week's, and grow.
    figures = Figures(db, lambda: NOW, 5, 30, lambda _: BASE.date())

    def rank_all() -> None:
        for level in Level:
            for metric in Metric:
                rankings.rank(BASE.date(), level, metric, NOW, 5, 30)

    def publish_all() -> None:
        months = figures.months()
        for resource in RESOURCES:
            figures.rows(resource, months, NOW)

    def receive(start: int, count: int) -> None:
        # Within one hour and one day: the same cells, waiting since the same hour.
        numbers = range(start, start + count)
        ids = receive_appeals(
            container.ledger,
            "rank-cost",
            numbers,
            lambda n: BASE + timedelta(seconds=n),
            category="дороги",
            source=lambda n: f"pos:page-{n % 2}",
        )
        for n, appeal_id in zip(numbers, ids, strict=True):
            if n % 2:
                container.ledger.answer_appeal(
                    appeal_id,
                    text="Ответ",
                    actor=OFFICER,
                    final=False,
                    at=BASE + timedelta(seconds=n, hours=2),
                )
        side.runner.catch_up()

    receive(0, 20)
    few = (rows_read(db, rank_all), rows_read(db, publish_all))
    receive(20, 200)
    many = (rows_read(db, rank_all), rows_read(db, publish_all))

    assert many == few
    for read in many:
        assert not {"appeals_view", "workload_open", container.events_table} & set(read)
    assert {"stats_cells", "stats_hist", "stats_wait"} <= set(many[0])
    problems = figures.rows(PROBLEMS, figures.months(), NOW)
    assert [(p["rank"], p["category"], p["body"]) for p in problems] == [
        (1, "дороги", "Администрация")
    ]
    container.close()
