"""Where each of an appeal's events sits in the store's notification log."""

from __future__ import annotations

from uuid import UUID

from api.storage.sql import Sql


class SqlEventPositions:
    """Reads notification ids straight from the ledger's events table."""

    def __init__(self, sql: Sql, events_table: str) -> None:
        self.sql = sql
        column = sql.dialect.notification_column
        self.statement = (
            f"SELECT originator_version, {column} FROM {events_table} WHERE originator_id = ?"
        )

    def positions(self, appeal_id: UUID) -> dict[int, int]:
        key = self.sql.dialect.uuid(appeal_id)
        return {int(version): int(nid) for version, nid in self.sql.rows(self.statement, [key])}
