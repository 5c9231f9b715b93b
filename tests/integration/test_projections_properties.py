"""Property tests: the views equal a brute-force recomputation from the raw events."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import read_side
from projections.models import Dimension, Period, StatsFilter
from tests.integration.conftest_projections import (
    NOW,
    Script,
    fixed_read_models,
    fresh_store,
    record,
    scripts,
    stored_waits,
)
from tests.integration.projection_oracle import (
    expected_rows,
    expected_statistics,
    expected_waits,
)

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def admin(request: pytest.FixtureRequest, kind: str) -> str | None:
    """The PostgreSQL admin URL when the store is PostgreSQL (skips when unreachable)."""
    return str(request.getfixturevalue("pg_admin")) if kind == "postgres" else None


@pytest.mark.parametrize("kind", STORES)
@EXAMPLES
@given(
    plan=scripts,
    limits=st.lists(st.integers(1, 7), max_size=3),
    group_by=st.lists(st.sampled_from(list(Dimension)), max_size=2, unique=True),
    period=st.one_of(st.none(), st.sampled_from(list(Period))),
    channel=st.one_of(st.none(), st.sampled_from(["vk", "pos", "letter"])),
)
def test_views_equal_a_recomputation_from_the_raw_events(
    kind: str,
    admin: str | None,
    plan: list[Script],
    limits: list[int],
    group_by: list[Dimension],
    period: Period | None,
    channel: str | None,
) -> None:
    with fresh_store(kind, admin) as container:
        side = read_side(container)
        side.runner.setup()

        record(container, plan, side, limits)

        models = fixed_read_models(side)
        expected = expected_rows(container, NOW)
        actual = models.get_appeals(list(expected))
        assert {k: asdict(v) for k, v in actual.items()} == expected
        groups = models.statistics(StatsFilter(channel=channel), group_by, period)  # type: ignore[arg-type]
        assert [asdict(g) for g in groups] == expected_statistics(
            expected, group_by, period, NOW, channel
        )
        positions = models.positions()
        assert set(positions.values()) == {models.head()}
        waits = stored_waits(side)
        assert waits == expected_waits(expected)

        side.runner.rebuild()

        rebuilt = models.get_appeals(list(expected))
        assert {k: asdict(v) for k, v in rebuilt.items()} == expected
        regrouped = models.statistics(StatsFilter(channel=channel), group_by, period)  # type: ignore[arg-type]
        assert [asdict(g) for g in regrouped] == [asdict(g) for g in groups]
        assert stored_waits(side) == waits
        assert set(models.positions().values()) == {models.head()}
