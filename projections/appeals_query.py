"""Reads of the appeals view: by id, in batches, and filtered lists with keyset pagination."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.appeals_view import NO_DUE, ROW_COLUMNS, TABLE, from_row
from projections.codec import to_us
from projections.cursor import decode_cursor, encode_cursor
from projections.db import Database
from projections.models import AppealFilter, AppealOrder, AppealPage, AppealRow
from projections.state import AppealState

_SELECT = f"SELECT {', '.join(ROW_COLUMNS)} FROM {TABLE}"
_DUE_KEY = f"COALESCE(next_due_at, {NO_DUE})"
_ORDERS: dict[AppealOrder, tuple[str, str, str]] = {
    # sort expression, direction, keyset comparison
    AppealOrder.RECEIVED_AT_DESC: ("received_at", "DESC", "<"),
    AppealOrder.RECEIVED_AT_ASC: ("received_at", "ASC", ">"),
    AppealOrder.DUE_AT_ASC: (_DUE_KEY, "ASC", ">"),
}


_STATE_FIELDS = tuple(f.name for f in fields(AppealState))


def to_appeal_row(row: Sequence[Any], now: datetime) -> AppealRow:
    """The public row of a view row, with ``overdue`` evaluated at ``now``."""
    state = from_row(row)
    due = state.next_due_at
    # A shallow copy of the fields: ``asdict`` deep-copies and was a seventh of a page's time.
    values = {name: getattr(state, name) for name in _STATE_FIELDS}
    return AppealRow(**values, next_due_at=due, overdue=due is not None and due <= now)


def row_cursor(order: AppealOrder, row: AppealRow) -> str:
    """The cursor that resumes a list in ``order`` just after ``row``."""
    if order is AppealOrder.DUE_AT_ASC:
        return encode_cursor(order, to_us(row.next_due_at) or NO_DUE, row.id)
    return encode_cursor(order, to_us(row.received_at) or 0, row.id)


class AppealsQuery:
    """Queries the appeals view."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get_appeals(self, ids: Sequence[UUID], now: datetime) -> dict[UUID, AppealRow]:
        """The rows of the given appeals that exist."""
        found: dict[UUID, AppealRow] = {}
        with self.db.reading() as cursor:
            for statement, params in self.by_ids(ids):
                cursor.execute(statement, params)
                for raw in cursor.fetchall():
                    row = to_appeal_row(tuple(raw), now)
                    found[row.id] = row
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
    ) -> AppealPage:
        """A page of ``first`` rows after the cursor, in a stable order ending with the id."""
        if first < 0:
            raise ValueError(f"first must be >= 0, got {first}")
        where, params = self._where(filter, now)
        expression, direction, compare = _ORDERS[order]
        page_where, page_params = list(where), list(params)
        if after is not None:
            key, last_id = decode_cursor(after, order)
            page_where.append(f"({expression}, id) {compare} (?, ?)")
            page_params += [key, self.db.uuid(last_id)]
        clause = f" WHERE {' AND '.join(page_where)}" if page_where else ""
        statement = f"{_SELECT}{clause} ORDER BY {expression} {direction}, id {direction} LIMIT ?"
        count_clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self.db.reading() as cursor:
            cursor.execute(self.db.sql(statement), [*page_params, first + 1])
            raw = [tuple(r) for r in cursor.fetchall()]
            total = None
            if count:
                cursor.execute(self.db.sql(f"SELECT count(*) FROM {TABLE}{count_clause}"), params)
                total = int(cursor.fetchone()[0])
        rows = [to_appeal_row(r, now) for r in raw[:first]]
        end = row_cursor(order, rows[-1]) if rows else None
        return AppealPage(rows=rows, total_count=total, has_next=len(raw) > first, end_cursor=end)

    def _where(self, filter: AppealFilter, now: datetime) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        for column in ("status", "channel", "category", "body", "department", "source"):
            value = getattr(filter, column)
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value))
        if filter.received_from is not None:
            where.append("received_at >= ?")
            params.append(to_us(filter.received_from))
        if filter.received_to is not None:
            where.append("received_at < ?")
            params.append(to_us(filter.received_to))
        if filter.overdue is True:
            where.append("next_due_at <= ?")
            params.append(to_us(now))
        elif filter.overdue is False:
            where.append("(next_due_at IS NULL OR next_due_at > ?)")
            params.append(to_us(now))
        return where, params
