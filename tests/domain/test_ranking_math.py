"""Wilson's lower bound and Kaplan–Meier medians, against hand figures and a brute force."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from projections.confidence import wilson
from projections.histogram import representative
from projections.survival import km_median

bins = st.dictionaries(st.integers(1, 60), st.integers(1, 5), max_size=12)


def test_three_of_three_ranks_below_970_of_1000() -> None:
    small, large = wilson(3, 3), wilson(970, 1000)

    assert small[0] < large[0]
    assert round(small[0], 3) == 0.439 and round(large[0], 3) == 0.957
    assert small[1] == 1.0


def test_a_median_with_no_one_waiting_is_the_nearest_rank_median() -> None:
    found = km_median({10: 2, 20: 1, 30: 2}, {})

    assert (found.n, found.finished) == (5, 5)
    assert found.estimate == representative(20)


def test_a_survival_of_exactly_one_half_reaches_the_median() -> None:
    found = km_median({1: 3, 2: 5, 3: 1, 4: 9}, {})  # 15/18 * 10/15 * 9/10 is 1/2

    assert found.estimate == representative(3)  # the 9th of 18, by nearest rank


def test_a_median_that_more_than_half_still_wait_for_is_not_reached() -> None:
    found = km_median({10: 2}, {50: 3})

    assert found.estimate is None and found.upper is None
    assert found.n == 5


def _brute_median(finished: dict[int, int], waiting: dict[int, int]) -> float | None:
    """Kaplan–Meier the long way: one observation at a time, events before censorings."""
    observations = sorted(
        [(b, 0) for b, n in finished.items() for _ in range(n)]
        + [(b, 1) for b, n in waiting.items() for _ in range(n)]
    )
    survival, at_risk = 1.0, len(observations)
    for index in sorted({b for b, _ in observations}):
        deaths = sum(1 for b, kind in observations if b == index and kind == 0)
        if deaths:
            survival *= 1 - deaths / at_risk
            if survival <= 0.5 + 1e-9:
                return representative(index)
        at_risk -= sum(1 for b, _ in observations if b == index)
    return None


@given(bins, bins)
def test_the_median_equals_a_brute_force_kaplan_meier(
    finished: dict[int, int], waiting: dict[int, int]
) -> None:
    assert km_median(finished, waiting).estimate == _brute_median(finished, waiting)


@given(bins, st.integers(1, 60), st.integers(1, 8))
def test_leaving_slow_appeals_open_never_gives_a_shorter_median(
    finished: dict[int, int], slow: int, count: int
) -> None:
    answered_late = dict(finished)
    answered_late[slow] = answered_late.get(slow, 0) + count

    left_open = km_median(finished, {slow: count}).estimate
    answered = km_median(answered_late, {}).estimate

    assert answered is not None
    assert left_open is None or left_open >= answered
    assert math.isfinite(answered)
