"""Re-deriving the views that are pure functions of appeal states from the appeals view.

The statistics and workload views need no events: rebuilding only them reads the appeals
view's rows in id order, chunk by chunk, and feeds them as new appeals, in one transaction
at the appeals view's position (which it locks by moving its tracking row in place).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from projections import tracking
from projections.appeals_view import ROW_COLUMNS, from_row
from projections.appeals_view import TABLE as APPEALS
from projections.db import Cursor, Database
from projections.view import Transition, View

__all__ = ["FLUSH_AT", "Progress", "rederive"]

Progress = Callable[[int, int], None]
"""Called after each batch with the number of events it held and the new position.

During a full rebuild, which reads appeal by appeal, the second figure is the number of
events replayed so far (it ends at the head when the log has no gaps).
"""


FLUSH_AT = 200_000
"""A summing view flushes its in-memory sums when they reach this many keys."""


def rederive(
    db: Database,
    views: Sequence[View],
    position: int,
    chunk: int,
    progress: Progress | None,
) -> None:
    """Drop and re-create ``views``, then fill them from the appeals view at ``position``."""
    with db.transaction() as cursor:
        tracking.move(db, cursor, "appeals", position, position)
        for view in views:
            view.drop(db, cursor)
            view.create(db, cursor)
        sums = {v.name: _sums_for(v) for v in views}
        after = db.uuid(UUID(int=0))
        select = db.sql(
            f"SELECT {', '.join(ROW_COLUMNS)} FROM {APPEALS} WHERE id > ? ORDER BY id LIMIT ?"
        )
        while True:
            cursor.execute(select, (after, chunk))
            rows = cursor.fetchall()
            if not rows:
                break
            transitions: list[Transition] = [(None, from_row(tuple(r))) for r in rows]
            for view in views:
                _feed(db, view, cursor, sums[view.name], transitions, final=False)
            after = next(iter(rows[-1]))
            if progress:
                progress(len(rows), position)
        for view in views:
            _feed(db, view, cursor, sums[view.name], [], final=True)
            tracking.reset(db, cursor, view.name, position)


def _sums_for(view: View) -> Any:
    new = getattr(view, "new_sums", None)
    return new() if new is not None else None


def _feed(
    db: Database,
    view: View,
    cursor: Cursor,
    sums: Any,
    transitions: list[Transition],
    *,
    final: bool,
) -> None:
    # Views that can accumulate (statistics) sum in memory and flush when the sums
    # reach FLUSH_AT keys, so memory is bounded by that, not by the number of appeals.
    if sums is None:
        if transitions:
            view.apply(db, cursor, transitions)
        return
    view.accumulate(sums, transitions)  # type: ignore[attr-defined]
    if final or len(sums) >= FLUSH_AT:
        view.flush(db, cursor, sums)  # type: ignore[attr-defined]
