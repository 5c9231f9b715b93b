"""The read side's access to the store: transactions, bulk writes and event pages.

One small interface with a SQLite (``projections.sqlite_db``) and a PostgreSQL
(``projections.postgres_db``) implementation. Statements are written with
``?`` placeholders and rewritten for PostgreSQL. Bulk writes use ``COPY`` on PostgreSQL and
``executemany`` on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol
from uuid import UUID

from projections.appeal_stream import Pages
from projections.background import Job
from projections.decoding import Row
from projections.dialect import SQLITE, Dialect

Submit = Callable[[Job], None]


class Cursor(Protocol):
    """The part of a DB-API cursor we use."""

    def execute(self, statement: Any, params: Any = ...) -> Any: ...

    def executemany(self, statement: Any, params: Any) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...


SETUP_LOCK = 0x41_50_50_45_41_4C_53_55
"""The transaction advisory lock views' set-up takes on PostgreSQL."""


class Database:
    """Runs the read side's SQL on the ledger's own datastore."""

    dialect: Dialect = SQLITE

    def __init__(self, events_table: str) -> None:
        self.events_table = events_table
        self.views_channel = f"{events_table}_views"
        """Where ``announce`` tells other processes how far the views are."""

    def sql(self, statement: str) -> str:
        """Rewrite a ``?``-style statement for this store."""
        return self.dialect.sql(statement)

    @contextmanager
    def transaction(self, *, pipelined: bool = False) -> Iterator[Cursor]:
        """A cursor in one write transaction, committed on success.

        ``pipelined``: where the store can, statements are sent without waiting for each
        result (until one is read), the commit included: a small batch's writes then cost
        one round trip. Bulk writes inside fall back from ``COPY`` to batched statements.
        """
        raise NotImplementedError
        yield

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        """A cursor for reads, returning tuples."""
        raise NotImplementedError
        yield

    def prepare_bulk_load(self, cursor: Cursor) -> None:
        """Give this transaction the memory a bulk load's sorts and index builds want."""

    def serialize_setup(self, cursor: Cursor) -> None:
        """Make concurrent set-ups of the views (several processes starting) take turns."""

    def announce(self, cursor: Cursor, position: int) -> None:
        """Tell other processes, when this transaction commits, that views reached ``position``.

        A store without notifications says nothing: readers there poll the positions.
        """

    @contextmanager
    def writing_behind(self) -> Iterator[Submit]:
        """Run the submitted write jobs, in order, before the block ends.

        Here they run at once. A store with a server runs them on a thread (see
        ``projections.background``), so the caller works while the server writes.
        """
        yield run_now

    def copy_rows(
        self, cursor: Cursor, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert many rows into ``table`` in bulk."""
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(
            self.sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"), rows
        )

    def add_rows(
        self,
        cursor: Cursor,
        table: str,
        keys: Sequence[str],
        values: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Add ``values`` to the rows with the same ``keys``, inserting missing ones."""
        if not rows:
            return
        columns = (*keys, *values)
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(
            self.sql(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
                + on_conflict_add(table, keys, values)
            ),
            rows,
        )

    def delete_empty(
        self, cursor: Cursor, table: str, keys: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Delete the rows with these keys whose count ``n`` fell to zero."""
        if rows:
            where = " AND ".join(f"{k} = ?" for k in keys)
            cursor.executemany(self.sql(f"DELETE FROM {table} WHERE {where} AND n = 0"), rows)

    def events_after(self, position: int, limit: int) -> list[Row]:
        """Up to ``limit`` stored events after ``position``, in log order."""
        raise NotImplementedError

    def head(self) -> int:
        """The last position of the event log (0 when empty)."""
        raise NotImplementedError

    @contextmanager
    def appeal_pages(self, cursor: Cursor, page: int) -> Iterator[tuple[int, Pages]]:
        """The log head and, in pages, every event up to it, appeal by appeal.

        ``cursor`` is the caller's write transaction; a store that can read elsewhere may.
        """
        raise NotImplementedError
        yield

    def uuid(self, value: UUID) -> Any:
        """A UUID as the store binds it."""
        return value

    def select_ids(self, cursor: Cursor, select: str, ids: Sequence[UUID]) -> list[Any]:
        """The rows of ``select`` (a statement without WHERE) whose ``id`` is in ``ids``."""
        raise NotImplementedError

    def delete_ids(self, cursor: Cursor, table: str, ids: Sequence[UUID]) -> None:
        """Delete the rows of ``table`` whose ``id`` is in ``ids``."""
        raise NotImplementedError

    def add_missing_columns(
        self, cursor: Cursor, table: str, columns: Sequence[tuple[str, str]]
    ) -> None:
        """Add the (name, type) columns that ``table`` lacks (tables made by older releases)."""
        raise NotImplementedError

    def tables(self) -> set[str]:
        """Names of the tables in the store."""
        raise NotImplementedError

    def columns(self, cursor: Cursor, table: str) -> set[str]:
        """Names of ``table``'s columns (none when it does not exist)."""
        raise NotImplementedError


def run_now(job: Job) -> None:
    """Run a write at once (stores with no writer thread of their own)."""
    job()


def on_conflict_add(table: str, keys: Sequence[str], values: Sequence[str]) -> str:
    """The upsert clause that adds ``values`` to an existing row with the same ``keys``."""
    sums = ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    return f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sums}"
