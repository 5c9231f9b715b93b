"""What differs between the two stores' SQL, said once: placeholders, types, comparisons.

Statements throughout the project are written for SQLite (``?`` placeholders, ``BLOB``,
``UUID`` columns); ``Dialect.sql`` and ``Dialect.ddl`` rewrite them for PostgreSQL where it
differs. Both the read side (``projections.db``) and the API's own SQL (``api.storage.sql``)
ask the same object, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore


@dataclass(frozen=True)
class Dialect:
    """One store's SQL: how a ``?``-style statement and a ``UUID``-typed table are written."""

    name: str
    is_postgres: bool
    notification_column: str
    """The events table's column of log positions (SQLite's recorder uses the rowid)."""
    is_not_distinct: str
    """The null-safe equality operator."""

    def sql(self, statement: str) -> str:
        """Rewrite a ``?``-style statement with ``BLOB`` types for this store."""
        if not self.is_postgres:
            return statement
        return statement.replace("?", "%s").replace("BLOB", "BYTEA")

    def ddl(self, statements: Sequence[str]) -> list[str]:
        """Table definitions for this store: ``UUID`` columns are TEXT on SQLite."""
        if self.is_postgres:
            return list(statements)
        return [s.replace(" UUID", " TEXT") for s in statements]

    def uuid(self, value: UUID) -> object:
        """A UUID as this store's driver takes it: native on PostgreSQL, hex text on SQLite."""
        return value if self.is_postgres else value.hex


SQLITE = Dialect("sqlite", False, notification_column="rowid", is_not_distinct="IS")
POSTGRES = Dialect(
    "postgresql",
    True,
    notification_column="notification_id",
    is_not_distinct="IS NOT DISTINCT FROM",
)


def dialect_of(datastore: SQLiteDatastore | PostgresDatastore) -> Dialect:
    """The dialect of the store behind a datastore."""
    return POSTGRES if isinstance(datastore, PostgresDatastore) else SQLITE
