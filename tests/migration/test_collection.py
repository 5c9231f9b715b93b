"""An import collects garbage less often while it runs, and puts the threshold back after."""

from __future__ import annotations

import gc

from migration.collection import YOUNG, fewer_collections


def test_the_threshold_is_raised_during_imports_and_restored_after_the_last() -> None:
    before = gc.get_threshold()

    with fewer_collections():
        during = gc.get_threshold()
        with fewer_collections():
            nested = gc.get_threshold()
        after_nested = gc.get_threshold()

    assert during == (max(before[0], YOUNG), *before[1:])
    assert nested == during
    assert after_nested == during
    assert gc.get_threshold() == before
