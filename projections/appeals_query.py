"""Reads of the appeals view: by id, in batches, and filtered lists with keyset pagination."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.appeal_state import AppealState
from projections.appeal_where import appeal_where
from projections.appeals_view import NO_DUE, ROW_COLUMNS, TABLE, state_values
from projections.codec import to_us
from projections.cursor import decode_cursor, encode_cursor
from projections.db import Database
from projections.models import AppealFilter, AppealOrder, AppealPage, AppealRow
from projections.search_query import hits, matching_ids

_SELECT = f"SELECT {', '.join(ROW_COLUMNS)} FROM {TABLE}"
_COLUMNS = ", ".join(f"{TABLE}.{column}" for column in ROW_COLUMNS)
_SCORE = "hits.score"
_DUE_KEY = f"COALESCE(next_due_at, {NO_DUE})"
_ORDERS: dict[AppealOrder, tuple[str, str, str]] = {
    # sort expression, direction, keyset comparison
    AppealOrder.RECEIVED_AT_DESC: ("received_at", "DESC", "<"),
    AppealOrder.RECEIVED_AT_ASC: ("received_at", "ASC", ">"),
    AppealOrder.DUE_AT_ASC: (_DUE_KEY, "ASC", ">"),
    AppealOrder.RELEVANCE: (_SCORE, "DESC", "<"),
}
_REVERSED = {"ASC": "DESC", "DESC": "ASC", "<": ">", ">": "<"}


def to_appeal_row(row: Sequence[Any], now: datetime) -> AppealRow:
    """The public row of a view row, with ``overdue`` evaluated at ``now``."""
    values = state_values(row)
    # The state only for its rule (``next_due_at``); the row takes the same values, not a
    # copy read back from the state (``asdict`` deep-copies, a getattr per field cost a
    # fifth of this function).
    due = AppealState(**values).next_due_at
    return AppealRow(**values, next_due_at=due, overdue=due is not None and due <= now)


def row_cursor(order: AppealOrder, row: AppealRow, score: float = 0.0) -> str:
    """The cursor that resumes a list in ``order`` just after ``row`` (``score``: its match)."""
    if order is AppealOrder.RELEVANCE:
        return encode_cursor(order, float(score), row.id)
    if order is AppealOrder.DUE_AT_ASC:
        return encode_cursor(order, to_us(row.next_due_at) or NO_DUE, row.id)
    return encode_cursor(order, to_us(row.received_at) or 0, row.id)


class AppealsQuery:
    """Queries the appeals view; ``clock`` tells when ``overdue`` is judged."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def get_appeals(self, ids: Sequence[UUID]) -> dict[UUID, AppealRow]:
        """The rows of the given appeals that exist (for DataLoaders: 500 ids a statement)."""
        now = self.clock()
        found: dict[UUID, AppealRow] = {}
        with self.db.reading() as cursor:
            for statement, params in self.by_ids(ids):
                cursor.execute(statement, params)
                for raw in cursor.fetchall():
                    row = to_appeal_row(tuple(raw), now)
                    found[row.id] = row
        return found

    def duplicates_of(self, ids: Sequence[UUID], now: datetime) -> dict[UUID, list[AppealRow]]:
        """Per appeal, the appeals closed as its duplicates (oldest first), by the index."""
        found: dict[UUID, list[AppealRow]] = {appeal_id: [] for appeal_id in ids}
        wanted = [self.db.uuid(i) for i in dict.fromkeys(ids)]
        with self.db.reading() as cursor:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                statement = f"{_SELECT} WHERE duplicate_of IN ({marks}) ORDER BY received_at, id"
                cursor.execute(self.db.sql(statement), chunk)
                for raw in cursor.fetchall():
                    row = to_appeal_row(tuple(raw), now)
                    assert row.duplicate_of is not None
                    found.setdefault(row.duplicate_of, []).append(row)
        return found

    def by_ids(self, ids: Sequence[UUID]) -> list[tuple[str, list[Any]]]:
        """The statements (and parameters) that read the rows of ``ids``, 500 ids each."""
        wanted = list(dict.fromkeys(ids))
        statements = []
        for start in range(0, len(wanted), 500):
            chunk = [self.db.uuid(i) for i in wanted[start : start + 500]]
            marks = ", ".join("?" for _ in chunk)
            statements.append((self.db.sql(f"{_SELECT} WHERE id IN ({marks})"), chunk))
        return statements

    def list_appeals(
        self,
        filter: AppealFilter,
        order: AppealOrder,
        first: int,
        after: str | None,
        now: datetime,
        *,
        count: bool = True,
        last: int | None = None,
        before: str | None = None,
    ) -> AppealPage:
        """A page of ``first`` rows after ``after`` (or of ``last`` rows before ``before``).

        The order is stable and ends with the id, so pages neither skip nor repeat rows in
        either direction. ``RELEVANCE`` needs ``filter.text``.
        """
        backward = last is not None
        size = last if last is not None else first
        if size < 0:
            raise ValueError(f"page size must be >= 0, got {size}")
        if order is AppealOrder.RELEVANCE and filter.text is None:
            raise ValueError("the relevance order needs a text filter")
        where, params = appeal_where(filter, now)
        source, source_params = TABLE, list[Any]()
        ranked = order is AppealOrder.RELEVANCE
        if filter.text is not None and ranked:
            found, source_params = hits(self.db, filter.text)
            source = f"({found}) AS hits JOIN {TABLE} ON {TABLE}.id = hits.hit"
        elif filter.text is not None:
            # Another order needs no score: a semi-join on the matching ids is cheaper.
            ids, id_params = matching_ids(self.db, filter.text)
            where, params = [f"id IN ({ids})", *where], [*id_params, *params]
        expression, direction, compare = _ORDERS[order]
        if backward:
            direction, compare = _REVERSED[direction], _REVERSED[compare]
        page_where, page_params = list(where), list(params)
        cursor_text = before if backward else after
        if cursor_text is not None:
            key, last_id = decode_cursor(cursor_text, order)
            page_where.append(f"({expression}, id) {compare} (?, ?)")
            page_params += [key, self.db.uuid(last_id)]
        clause = f" WHERE {' AND '.join(page_where)}" if page_where else ""
        statement = (
            f"SELECT {_COLUMNS}, {_SCORE if ranked else '0.0'} FROM {source}{clause} "
            f"ORDER BY {expression} {direction}, id {direction} LIMIT ?"
        )
        count_clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self.db.reading() as cursor:
            cursor.execute(self.db.sql(statement), [*source_params, *page_params, size + 1])
            raw = [tuple(r) for r in cursor.fetchall()]
            total = None
            if count:
                cursor.execute(
                    self.db.sql(f"SELECT count(*) FROM {source}{count_clause}"),
                    [*source_params, *params],
                )
                total = int(cursor.fetchone()[0])
        more = len(raw) > size
        raw = raw[:size]
        if backward:
            raw.reverse()
        rows = [to_appeal_row(r, now) for r in raw]
        cursors = [row_cursor(order, row, r[-1]) for row, r in zip(rows, raw, strict=True)]
        return AppealPage(
            rows=rows,
            total_count=total,
            has_next=(before is not None) if backward else more,
            end_cursor=cursors[-1] if cursors else None,
            has_previous=more if backward else after is not None,
            cursors=cursors,
        )
