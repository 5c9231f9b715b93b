"""The workload view: one row per open appeal, grouped per department and assignee at query time.

It holds only open appeals, so a workload query reads open work, never the closed history.
"""

from __future__ import annotations

from collections.abc import Sequence

from projections.appeals_view import delete_ids
from projections.codec import to_us
from projections.db import Cursor, Database
from projections.derivation import Applying
from projections.view import Derivation, Transition

TABLE = "workload_open"
COLUMNS = ("id", "body", "department", "assignee", "received_at", "next_due_at")
DDL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id UUID PRIMARY KEY, body TEXT NOT NULL, department TEXT, assignee TEXT,
        received_at BIGINT NOT NULL, next_due_at BIGINT)""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_dept ON {TABLE} (department, assignee, received_at)",
]


class WorkloadView:
    """Open appeals with their department, assignee, receipt and nearest pending due."""

    name = "workload"

    def create(self, db: Database, cursor: Cursor) -> None:
        for statement in db.dialect.ddl(DDL):
            cursor.execute(statement)

    def create_table(self, db: Database, cursor: Cursor) -> None:
        """A rebuild creates the table with its one index: the load is one row per open appeal."""
        self.create(db, cursor)

    def drop(self, db: Database, cursor: Cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def stage(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """A rebuild's page is written as a live batch."""
        self.apply(db, cursor, transitions)

    def settle(self, db: Database, cursor: Cursor) -> None:
        """Nothing is left to write after the last page."""

    def derivation(self, db: Database) -> Derivation:
        """Re-derive chunk by chunk, as live batches."""
        return Applying(self, db)

    def apply(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        delete_ids(
            db,
            cursor,
            TABLE,
            [new.id for old, new in transitions if old is not None and old.is_open],
        )
        rows = [
            (
                db.uuid(new.id),
                new.body,
                new.department,
                new.assignee,
                to_us(new.received_at),
                to_us(new.next_due_at),
            )
            for _, new in transitions
            if new.is_open
        ]
        db.copy_rows(cursor, TABLE, COLUMNS, rows)
