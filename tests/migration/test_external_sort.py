"""The external merge sort behind the JSON Lines import: spilled chunks merge in order."""

from __future__ import annotations

import random
from pathlib import Path

from migration.sorting import ExternalSort


def test_records_come_back_in_order_across_many_spilled_chunks(tmp_path: Path) -> None:
    rng = random.Random(3)
    records = [(rng.randbytes(4), rng.randrange(10**9), n, b"payload %d" % n) for n in range(5000)]
    sort = ExternalSort(tmp_path, chunk=300)

    for record in records:
        sort.add(record)
    spilled = sort.runs
    merged = list(sort.sorted())

    assert spilled == 16
    assert merged == sorted(records)
    assert list(tmp_path.iterdir()) == []  # temporary runs are unlinked files


def test_a_small_input_is_sorted_in_memory_without_spilling(tmp_path: Path) -> None:
    sort = ExternalSort(tmp_path, chunk=100)
    for n in (5, 3, 9):
        sort.add((n, ("field", "reason", "appeal")))

    assert [r[0] for r in sort.sorted()] == [3, 5, 9]
    assert sort.runs == 0
