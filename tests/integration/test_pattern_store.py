"""Suppression patterns saved by the duty are read by other processes, on both stores."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from datetime import date

import pytest

import projections.pattern_store as pattern_store
from api.bootstrap import build, read_side
from api.settings import Settings
from projections.assembly import ReadSide
from projections.disclosure import Cells, pattern
from projections.pattern_store import TABLE, PatternStore
from projections.public_tables import TABLES

MONTH = date(2025, 5, 1)


@pytest.fixture
def side(store_url: str) -> Iterator[ReadSide]:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url}))
    built = read_side(container)
    built.runner.setup()
    yield built
    container.close()


def _cells(extra: int = 0) -> Cells:
    """A small month: two days, two bodies, one small cell."""
    rows = [
        (("1", "vk", "roads", "city", "", "vk:1"), 7 + extra, 2),
        (("1", "vk", "roads", "town", "", "vk:2"), 2, 0),
        (("2", "email", "lights", "city", "", ""), 9, 5),
        (("2", "vk", "lights", "town", "", "vk:2"), 6, 1),
    ]
    return tuple(sorted(rows))


def _refuse(*_: object) -> object:
    raise AssertionError("the pattern was computed again, not read")


def test_a_saved_pattern_is_read_by_another_process_and_never_computed_again(
    side: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = PatternStore(side.db, remember=True).pattern(MONTH, _cells(), 5, TABLES)
    monkeypatch.setattr(pattern_store, "pattern", _refuse)
    monkeypatch.setattr(pattern_store, "_RECENT", OrderedDict())  # as another process

    read = PatternStore(side.db).pattern(MONTH, _cells(), 5, TABLES)

    assert read == saved == pattern(_cells(), 5, TABLES)
    assert read.hidden  # the cell of 2 and its complements


def test_other_cells_or_another_threshold_are_computed_not_read(side: ReadSide) -> None:
    PatternStore(side.db, remember=True).pattern(MONTH, _cells(), 5, TABLES)
    reader = PatternStore(side.db)

    assert reader.pattern(MONTH, _cells(extra=3), 5, TABLES) == pattern(_cells(3), 5, TABLES)
    assert reader.pattern(MONTH, _cells(), 3, TABLES) == pattern(_cells(), 3, TABLES)


def test_a_month_keeps_one_row_its_latest_pattern(side: ReadSide) -> None:
    writer = PatternStore(side.db, remember=True)
    writer.pattern(MONTH, _cells(), 5, TABLES)
    writer.pattern(MONTH, _cells(extra=1), 5, TABLES)
    writer.pattern(date(2025, 6, 1), _cells(), 5, TABLES)

    with side.db.reading() as cursor:
        cursor.execute(f"SELECT month, digest FROM {TABLE} ORDER BY month")
        rows = [tuple(row) for row in cursor.fetchall()]
    assert [month for month, _ in rows] == ["2025-05-01", "2025-06-01"]
    assert rows[0][1] == pattern_store.digest(_cells(extra=1), 5, TABLES)
