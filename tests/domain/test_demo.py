"""The demo generator: each body works its appeals in departments of its own."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest

from demo.generator import DemoOptions, generate
from ledger.application import AppealsLedger

UNTIL = datetime(2025, 6, 1, tzinfo=UTC)
SEEDS = [1, 2, 3, 7, 42]


def _pairs(seed: int) -> list[tuple[str, str | None]]:
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    options = DemoOptions(appeals=400, seed=seed, until=UNTIL)
    return [(appeal.body, appeal.department) for appeal in generate(ledger, options)]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_demo_department_belongs_to_one_body(seed: int) -> None:
    bodies_of: dict[str, set[str]] = defaultdict(set)

    for body, department in _pairs(seed):
        if department is not None:
            bodies_of[department].add(body)

    shared = {department: bodies for department, bodies in bodies_of.items() if len(bodies) > 1}
    assert len(bodies_of) >= 10, "each body has departments of its own"
    assert shared == {}


def test_the_demo_pairs_bodies_and_departments_the_same_way_for_a_seed() -> None:
    first = _pairs(5)

    again = _pairs(5)

    assert first == again
