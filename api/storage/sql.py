"""A thin, store-neutral way to run our own SQL on the ledger's connection pool.

Statements are written with ``?`` placeholders and ``BLOB`` types; for PostgreSQL they
are rewritten to ``%s`` and ``BYTEA`` by the one ``projections.dialect``. Only adapters in ``api`` use this; the ledger
itself has no SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from projections.dialect import dialect_of


class Cursor(Protocol):
    """The part of a DB-API cursor we use."""

    def execute(self, statement: Any, params: Any = ...) -> Any: ...

    def fetchall(self) -> Any: ...

    def fetchone(self) -> Any: ...


class Sql:
    """Runs statements inside the recorder's own datastore transactions."""

    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore) -> None:
        self.datastore = datastore
        self.dialect = dialect_of(datastore)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Cursor]:
        """A cursor in one transaction, committed on success when ``commit``."""
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Fetch every row of a query as tuples."""
        with self.transaction(commit=False) as cursor:
            cursor.execute(self.dialect.sql(statement), tuple(params))
            return [
                tuple(row.values()) if isinstance(row, dict) else tuple(row)
                for row in cursor.fetchall()
            ]

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        """Run one statement in its own committed transaction."""
        with self.transaction(commit=True) as cursor:
            cursor.execute(self.dialect.sql(statement), tuple(params))

    def delete_securely(self, table: str, where: str, params: Sequence[Any]) -> None:
        """Delete rows so their bytes do not linger on disk (erasure of keys)."""
        if isinstance(self.datastore, PostgresDatastore):
            self.execute(f"DELETE FROM {table} WHERE {where}", params)
            # VACUUM cannot run in a transaction; pooled connections are in autocommit.
            with self.datastore.get_connection() as conn:
                conn.execute(f"VACUUM {table}")
            return
        with self.transaction(commit=True) as cursor:
            # Per connection and not transactional: freed pages are zeroed from now on.
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(f"DELETE FROM {table} WHERE {where}", tuple(params))
