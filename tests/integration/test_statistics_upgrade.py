"""Statistics tables of an older release (before sources, or ``problems``) are re-derived on setup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.bootstrap import build, read_side
from api.settings import Settings
from ledger.values import Actor, Role
from projections.db import Database
from projections.models import Dimension, StatsFilter
from projections.statistics_view import CELLS, DUE, HIST, WAIT
from tests.api.inprocess import REPLAY_CLOCK_SKEW
from tests.integration.receipts import receive_appeals

BASE = datetime(2025, 4, 7, 8, tzinfo=UTC)
# The four-dimension tables of the release before sources (their key indexes go with them).
OLD_DIMS = (
    "grain TEXT NOT NULL, bucket INTEGER NOT NULL, channel TEXT NOT NULL, "
    "category TEXT NOT NULL, body TEXT NOT NULL, department TEXT NOT NULL"
)


def _tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    with db.reading() as cursor:
        for table in (CELLS, HIST, DUE, WAIT):
            cursor.execute(f"SELECT * FROM {table}")
            found[table] = sorted(tuple(str(v) for v in row) for row in cursor.fetchall())
    return found


def test_tables_without_a_source_column_are_rebuilt_from_the_appeals_view(store_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url}))
    side = read_side(container)
    side.runner.setup()
    receive_appeals(
        container.ledger,
        "upgrade",
        range(12),
        lambda n: BASE + timedelta(hours=n),
        channel="vk",
        source=lambda n: f"vk:{171000 + n % 3}" if n % 4 else None,
    )
    side.runner.catch_up()
    current = _tables(side.db)
    with side.db.transaction() as cursor:
        for table in (CELLS, HIST, DUE, WAIT):
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"CREATE TABLE {CELLS} ({OLD_DIMS}, n BIGINT NOT NULL)")
        for table, extra in ((HIST, "metric TEXT, bin INTEGER"), (DUE, "due_hour BIGINT")):
            cursor.execute(f"CREATE TABLE {table} ({OLD_DIMS}, {extra}, n BIGINT NOT NULL)")
        cursor.execute(
            f"CREATE TABLE {WAIT} ({OLD_DIMS}, metric TEXT, since_hour BIGINT, n BIGINT)"
        )

    again = read_side(container)
    again.runner.setup()

    assert _tables(again.db) == current
    by_source = again.read_models.statistics(StatsFilter(), [Dimension.SOURCE], None)
    assert {g.keys["source"]: g.count for g in by_source} == {
        None: 3,
        "vk:171000": 3,
        "vk:171001": 3,
        "vk:171002": 3,
    }
    container.close()


def test_tables_without_the_problems_figure_are_rebuilt_with_duplicates_counted_once(
    store_url: str,
) -> None:
    settings = {"APPEALS_DATABASE_URL": store_url, "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW}
    container = build(Settings.from_environ(settings))
    side = read_side(container)
    side.runner.setup()
    ids = receive_appeals(
        container.ledger,
        "problem",
        range(3),
        lambda n: BASE + timedelta(hours=n),
        channel="vk",
        text="Не горит фонарь",
    )
    for duplicate in ids[1:]:
        container.ledger.close_appeal(
            duplicate,
            outcome="duplicate",
            duplicate_of=ids[0],
            actor=Actor("upgrade-officer", Role.OPERATOR),
            at=BASE + timedelta(hours=5),
        )
    side.runner.catch_up()
    current = _tables(side.db)
    with side.db.transaction() as cursor:
        cursor.execute(f"ALTER TABLE {CELLS} DROP COLUMN problems")

    again = read_side(container)
    again.runner.setup()

    assert _tables(again.db) == current
    (group,) = again.read_models.statistics(StatsFilter(), [], None)
    assert (group.count, group.problems) == (3, 1)
    container.close()
