"""The read side on PostgreSQL: pooled connections, pipelined live batches, COPY for bulk loads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import pq
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.appeal_stream import Pages, postgres_pages
from projections.background import background
from projections.db import SETUP_LOCK, Cursor, Database, Submit, on_conflict_add
from projections.decoding import Row
from projections.dialect import POSTGRES


class PostgresDatabase(Database):
    """PostgreSQL: pooled connections, COPY for bulk inserts."""

    dialect = POSTGRES

    def __init__(self, datastore: PostgresDatastore, events_table: str) -> None:
        super().__init__(events_table)
        self.datastore = datastore
        self._events = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(Identifier(events_table))

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
            + on_conflict_add(table, keys, values)
        )
        cursor.execute(f"DROP TABLE {scratch}")

    def select_ids(self, cursor: Cursor, select: str, ids: Sequence[UUID]) -> list[Any]:
        cursor.execute(select + " WHERE id = ANY(%s)", (list(ids),))
        return cursor.fetchall()

    def delete_ids(self, cursor: Cursor, table: str, ids: Sequence[UUID]) -> None:
        cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", (list(ids),))

    def add_missing_columns(
        self, cursor: Cursor, table: str, columns: Sequence[tuple[str, str]]
    ) -> None:
        for name, kind in columns:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {kind}")

    def columns(self, cursor: Cursor, table: str) -> set[str]:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            (table,),
        )
        return {name for (name,) in cursor.fetchall()}

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


def _in_pipeline(cursor: Cursor) -> bool:
    # COPY cannot run in pipeline mode.
    status = cursor.connection.pgconn.pipeline_status  # type: ignore[attr-defined]
    return bool(status != pq.PipelineStatus.OFF)
