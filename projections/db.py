"""The read side's access to the store: transactions, bulk writes and event pages.

One small interface with a SQLite and a PostgreSQL implementation. Statements are written with
``?`` placeholders and rewritten for PostgreSQL. Bulk writes use ``COPY`` on PostgreSQL and
``executemany`` on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg import pq
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.appeal_stream import Pages, postgres_pages, sqlite_pages
from projections.background import Job, background
from projections.decoding import Row

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

    is_postgres = False

    def __init__(self, events_table: str) -> None:
        self.events_table = events_table
        self.views_channel = f"{events_table}_views"
        """Where ``announce`` tells other processes how far the views are."""

    def sql(self, statement: str) -> str:
        """Rewrite a ``?``-style statement for this store."""
        return statement

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
        yield _run

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
                + _on_conflict_add(table, keys, values)
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

    def tables(self) -> set[str]:
        """Names of the tables in the store."""
        raise NotImplementedError


class PostgresDatabase(Database):
    """PostgreSQL: pooled connections, COPY for bulk inserts."""

    is_postgres = True

    def __init__(self, datastore: PostgresDatastore, events_table: str) -> None:
        super().__init__(events_table)
        self.datastore = datastore
        self._events = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(Identifier(events_table))

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    @contextmanager
    def transaction(self, *, pipelined: bool = False) -> Iterator[Cursor]:
        with self.datastore.get_connection() as conn, ExitStack() as stack:
            if pipelined:
                # BEGIN, SET, the writes and COMMIT go out together; only a statement
                # whose result is read (the tracking update) waits for the server.
                stack.enter_context(conn.pipeline())
            stack.enter_context(conn.transaction())
            cursor = stack.enter_context(conn.cursor(row_factory=tuple_row))
            # Views are derived and move their tracking row in the same transaction, so a
            # commit lost in a server crash is simply replayed: no need to wait for the WAL
            # flush, whose latency spikes when the disk is busy.
            cursor.execute("SET LOCAL synchronous_commit = off")
            yield cursor

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as cursor,
        ):
            yield cursor

    def announce(self, cursor: Cursor, position: int) -> None:
        cursor.execute("SELECT pg_notify(%s, %s)", (self.views_channel, str(position)))

    def serialize_setup(self, cursor: Cursor) -> None:
        # Workers and the duty process start together and each creates missing tables and
        # columns; two ALTER TABLEs taking their locks in different orders deadlocked.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK,))

    def prepare_bulk_load(self, cursor: Cursor) -> None:
        # The defaults (4 MB, 64 MB) make the statistics merge and the index builds spill.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")

    @contextmanager
    def writing_behind(self) -> Iterator[Submit]:
        with background() as worker:
            yield worker.submit

    def copy_rows(
        self, cursor: Cursor, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        if len(rows) < 64 or _in_pipeline(cursor):
            super().copy_rows(cursor, table, columns, rows)
            return
        statement = SQL("COPY {} ({}) FROM STDIN").format(
            Identifier(table), SQL(", ").join(map(Identifier, columns))
        )
        with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)

    def add_rows(
        self,
        cursor: Cursor,
        table: str,
        keys: Sequence[str],
        values: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        if len(rows) < 256 or _in_pipeline(cursor):
            super().add_rows(cursor, table, keys, values, rows)
            return
        scratch = f"scratch_{table}"
        cursor.execute(f"CREATE TEMP TABLE {scratch} (LIKE {table}) ON COMMIT DROP")
        self.copy_rows(cursor, scratch, (*keys, *values), rows)
        columns = ", ".join((*keys, *values))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {scratch} "
            + _on_conflict_add(table, keys, values)
        )
        cursor.execute(f"DROP TABLE {scratch}")

    def events_after(self, position: int, limit: int) -> list[Row]:
        with self.reading() as cursor:
            cursor.execute(self._events, (position, limit))
            return [Row(p, o, v, t, s) for p, o, v, t, s in cursor.fetchall()]

    @contextmanager
    def appeal_pages(self, cursor: Cursor, page: int) -> Iterator[tuple[int, Pages]]:
        with postgres_pages(self.datastore, self.events_table, page) as found:
            yield found

    def head(self) -> int:
        with self.reading() as cursor:
            cursor.execute(
                SQL("SELECT max(notification_id) FROM {}").format(Identifier(self.events_table))
            )
            value = cursor.fetchone()[0]
        return int(value or 0)

    def tables(self) -> set[str]:
        with self.reading() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            return {name for (name,) in cursor.fetchall()}


class SqliteDatabase(Database):
    """SQLite: the datastore's writer connection serialises writes; ids are rowids."""

    def __init__(self, datastore: SQLiteDatastore, events_table: str) -> None:
        super().__init__(events_table)
        self.datastore = datastore
        self._events = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {events_table} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )

    @contextmanager
    def transaction(self, *, pipelined: bool = False) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=True) as wrapped:
            yield wrapped.sqlite_cursor

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=False) as wrapped:
            yield wrapped.sqlite_cursor

    def events_after(self, position: int, limit: int) -> list[Row]:
        with self.reading() as cursor:
            cursor.execute(self._events, (position, limit))
            return [
                Row(p, UUID(o), v, t, bytes(s))
                for p, o, v, t, s in (tuple(r) for r in cursor.fetchall())
            ]

    @contextmanager
    def appeal_pages(self, cursor: Cursor, page: int) -> Iterator[tuple[int, Pages]]:
        yield sqlite_pages(cursor, self.events_table, page)

    def head(self) -> int:
        with self.reading() as cursor:
            cursor.execute(f"SELECT max(rowid) FROM {self.events_table}")
            value = cursor.fetchone()[0]
        return int(value or 0)

    def uuid(self, value: UUID) -> Any:
        return value.hex

    def tables(self) -> set[str]:
        with self.reading() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {row[0] for row in cursor.fetchall()}


def _run(job: Job) -> None:
    job()


def _in_pipeline(cursor: Cursor) -> bool:
    # COPY cannot run in pipeline mode.
    status = cursor.connection.pgconn.pipeline_status  # type: ignore[attr-defined]
    return bool(status != pq.PipelineStatus.OFF)


def _on_conflict_add(table: str, keys: Sequence[str], values: Sequence[str]) -> str:
    sums = ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    return f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sums}"


def database_for(datastore: SQLiteDatastore | PostgresDatastore, events_table: str) -> Database:
    """The implementation that fits the ledger's datastore."""
    if isinstance(datastore, PostgresDatastore):
        return PostgresDatabase(datastore, events_table)
    return SqliteDatabase(datastore, events_table)
