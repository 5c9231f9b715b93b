"""Tracking positions: one row per view, moved with compare-and-set inside the batch."""

from __future__ import annotations

from collections.abc import Sequence

from projections.db import Cursor, Database

TRACKING = "projection_tracking"

TRACKING_DDL = [
    f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
]


class PositionMovedError(Exception):
    """Another runner moved a view's position first; this batch must roll back."""

    def __init__(self, *, view: str, expected: int) -> None:
        super().__init__(f"view={view} expected={expected}")
        self.view = view
        self.expected = expected


def create(cursor: Cursor, names: Sequence[str]) -> None:
    """Create the tracking table and a row at position 0 for every missing view."""
    for statement in TRACKING_DDL:
        cursor.execute(statement)
    for name in names:
        cursor.execute(
            f"INSERT INTO {TRACKING} (name, position) VALUES ('{name}', 0) "
            "ON CONFLICT (name) DO NOTHING"
        )


def read(db: Database) -> dict[str, int]:
    """Every view's position."""
    with db.reading() as cursor:
        cursor.execute(f"SELECT name, position FROM {TRACKING}")
        return {str(name): int(position) for name, position in map(tuple, cursor.fetchall())}


def move(db: Database, cursor: Cursor, name: str, expected: int, position: int) -> None:
    """Move ``name`` from ``expected`` to ``position``, or raise if another runner moved it.

    The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) first, so a
    concurrent runner waits here and then finds the position moved.
    """
    cursor.execute(
        db.sql(f"UPDATE {TRACKING} SET position = ? WHERE name = ? AND position = ?"),
        (position, name, expected),
    )
    if cursor.rowcount != 1:
        raise PositionMovedError(view=name, expected=expected)


def move_all(
    db: Database, cursor: Cursor, names: Sequence[str], expected: int, position: int
) -> None:
    """``move`` for several views in one statement (one round trip, one lock order)."""
    marks = ", ".join("?" for _ in names)
    cursor.execute(
        db.sql(
            f"UPDATE {TRACKING} SET position = ? WHERE position = ? AND name IN ({marks})"
            " RETURNING name"
        ),
        (position, expected, *names),
    )
    # The moved rows are read, not counted with rowcount, which a pipeline leaves unset.
    if len(cursor.fetchall()) != len(names):
        raise PositionMovedError(view=",".join(names), expected=expected)


def reset(db: Database, cursor: Cursor, name: str, position: int) -> None:
    """Set a view's position unconditionally (rebuilds)."""
    cursor.execute(db.sql(f"UPDATE {TRACKING} SET position = ? WHERE name = ?"), (position, name))
