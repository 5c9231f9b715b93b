"""Reads of the public appeals (those given an answer marked public), for Open311.

Only appeals with ``published_at`` set are ever returned; the caller shows none of their
personal data. Pages are ordered newest first by received time, then id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.appeal_where import received_range
from projections.appeals_query import to_appeal_row
from projections.appeals_view import ROW_COLUMNS, TABLE
from projections.db import Database
from projections.models import AppealRow
from projections.statistics_view import CELLS


@dataclass(frozen=True, slots=True)
class PublishedFilter:
    """Open311 filters: category, open or closed, a received-time range (inclusive)."""

    category: str | None = None
    closed: bool | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


class PublishedQuery:
    """Public appeals by id or as offset pages."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, appeal_id: UUID, now: datetime) -> AppealRow | None:
        """The public appeal, or None when there is none or it is not public."""
        statement = self.db.sql(
            f"SELECT {', '.join(ROW_COLUMNS)} FROM {TABLE} "
            "WHERE id = ? AND published_at IS NOT NULL"
        )
        with self.db.reading() as cursor:
            cursor.execute(statement, [self.db.uuid(appeal_id)])
            raw = cursor.fetchone()
        return None if raw is None else to_appeal_row(tuple(raw), now)

    def page(
        self, filter: PublishedFilter, offset: int, limit: int, now: datetime
    ) -> list[AppealRow]:
        """Up to ``limit`` public appeals after skipping ``offset``, newest first."""
        where: list[str] = ["published_at IS NOT NULL"]
        params: list[Any] = []
        if filter.category is not None:
            where.append("category = ?")
            params.append(filter.category)
        if filter.closed is not None:
            where.append("status = 'closed'" if filter.closed else "status <> 'closed'")
        received_range(filter.received_from, filter.received_to, "<=", where, params)
        statement = self.db.sql(
            f"SELECT {', '.join(ROW_COLUMNS)} FROM {TABLE} WHERE {' AND '.join(where)} "
            "ORDER BY received_at DESC, id LIMIT ? OFFSET ?"
        )
        with self.db.reading() as cursor:
            cursor.execute(statement, [*params, limit, offset])
            return [to_appeal_row(tuple(raw), now) for raw in cursor.fetchall()]

    def categories(self) -> list[str]:
        """Every category the statistics know (they are public there too)."""
        statement = f"SELECT DISTINCT category FROM {CELLS} WHERE grain = 'm' AND category <> ''"
        with self.db.reading() as cursor:
            cursor.execute(statement)
            return sorted(str(row[0]) for row in cursor.fetchall())
