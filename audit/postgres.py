"""The audit log's tables on PostgreSQL: a row lock serialises catch-ups, COPY writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row

from audit.leaves import Leaf
from audit.merkle import Key, Node
from audit.postgres_snapshot import PgCursor, PostgresSnapshot
from audit.sql_store import SqlAppender, SqlAuditStore
from audit.store import CHECKPOINTS, LEAF_COLUMNS, LEAVES, LOG, NODES, TRACKING

DDL = [
    f"CREATE TABLE IF NOT EXISTS {LEAVES} (leaf_index BIGINT PRIMARY KEY, "
    "notification_id BIGINT NOT NULL, appeal_id TEXT NOT NULL, version BIGINT NOT NULL, "
    "topic TEXT NOT NULL, state_sha256 BYTEA NOT NULL, leaf_hash BYTEA NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {LEAVES}_event ON {LEAVES} (appeal_id, version)",
    f"CREATE TABLE IF NOT EXISTS {NODES} (level INTEGER NOT NULL, idx BIGINT NOT NULL, "
    "hash BYTEA NOT NULL, PRIMARY KEY (level, idx))",
    f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, position BIGINT NOT NULL, "
    "size BIGINT NOT NULL)",
    f"INSERT INTO {TRACKING} (name, position, size) VALUES ('{LOG}', 0, 0) "
    "ON CONFLICT (name) DO NOTHING",
    f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (id BIGSERIAL PRIMARY KEY, "
    "tree_size BIGINT NOT NULL, root BYTEA NOT NULL, signed_at TEXT NOT NULL, note TEXT NOT NULL)",
]
LEAF_TYPES = ["bigint", "bigint", "text", "bigint", "text", "bytea", "bytea"]
NODE_TYPES = ["integer", "bigint", "bytea"]


class PostgresAppender(SqlAppender):
    """The log's end under the tracking row's lock; a concurrent catch-up waits here."""

    mark = "%s"

    @staticmethod
    def _lock(cursor: PgCursor) -> tuple[int, int]:
        cursor.execute(f"SELECT position, size FROM {TRACKING} WHERE name = %s FOR UPDATE", (LOG,))
        row = cursor.fetchone()
        assert row is not None, "audit tables not created"
        return int(row[0]), int(row[1])

    @staticmethod
    def _leaf_hashes(cursor: PgCursor, indices: list[int]) -> list[Any]:
        cursor.execute(
            f"SELECT leaf_index, leaf_hash FROM {LEAVES} WHERE leaf_index = ANY(%s)", (indices,)
        )
        return cursor.fetchall()

    @staticmethod
    def _node_hashes(cursor: PgCursor, keys: list[Key]) -> list[Any]:
        cursor.execute(
            f"SELECT level, idx, hash FROM {NODES} WHERE (level, idx) IN "
            "(SELECT * FROM unnest(%s::integer[], %s::bigint[]))",
            ([level for level, _ in keys], [index for _, index in keys]),
        )
        return cursor.fetchall()

    def _insert(self, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        _copy(self.cursor, LEAVES, LEAF_COLUMNS, LEAF_TYPES, leaves)
        _copy(self.cursor, NODES, "level, idx, hash", NODE_TYPES, nodes)


def _copy(
    cursor: PgCursor, table: str, columns: str, types: list[str], rows: Sequence[Any]
) -> None:
    if not rows:
        return
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


class PostgresAuditStore(SqlAuditStore):
    """The audit log's tables in the ledger's PostgreSQL database."""

    mark = "%s"
    no_limit = None
    appender = PostgresAppender
    event_columns = "notification_id, originator_id::text"

    def __init__(self, datastore: PostgresDatastore, events_table: str) -> None:
        self.datastore = datastore
        self.events_table = events_table

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[PgCursor]:
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(force_rollback=not commit),
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            yield cursor

    def create(self) -> None:
        with self._cursor(commit=True) as cursor:
            # Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('appeals-audit-create'))")
            for statement in DDL:
                cursor.execute(statement)

    def _stored_id(self, appeal_id: str) -> UUID:
        return UUID(appeal_id)

    def add_checkpoint(self, size: int, root: bytes, time: datetime, note: str) -> int:
        with self._cursor(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {CHECKPOINTS} (tree_size, root, signed_at, note) "
                "VALUES (%s, %s, %s, %s) RETURNING id",
                (size, root, time.isoformat(), note),
            )
            row = cursor.fetchone()
        assert row is not None
        return int(row[0])

    @contextmanager
    def snapshot(self) -> Iterator[PostgresSnapshot]:
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(force_rollback=True),
        ):
            yield PostgresSnapshot(self.datastore, connection, self.events_table)
