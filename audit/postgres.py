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
from audit.store import (
    CHECKPOINTS,
    LEAF_COLUMNS,
    LEAVES,
    LOG,
    NODES,
    TRACKING,
    ConcurrentAppendError,
    EventRow,
    SqlAuditStore,
)

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


def _get_many(cursor: PgCursor, keys: Sequence[Key]) -> dict[Key, bytes]:
    found: dict[Key, bytes] = {}
    leaves = [index for level, index in keys if level == 0]
    inner = [key for key in keys if key[0] > 0]
    if leaves:
        cursor.execute(
            f"SELECT leaf_index, leaf_hash FROM {LEAVES} WHERE leaf_index = ANY(%s)", (leaves,)
        )
        found.update(((0, index), bytes(digest)) for index, digest in cursor.fetchall())
    if inner:
        cursor.execute(
            f"SELECT level, idx, hash FROM {NODES} WHERE (level, idx) IN "
            "(SELECT * FROM unnest(%s::integer[], %s::bigint[]))",
            ([level for level, _ in inner], [index for _, index in inner]),
        )
        found.update(((level, index), bytes(digest)) for level, index, digest in cursor.fetchall())
    missing = [key for key in keys if key not in found]
    if missing:
        raise KeyError(missing[0])
    return found


class PostgresAppender:
    """The log's end under the tracking row's lock; a concurrent catch-up waits here."""

    def __init__(self, cursor: PgCursor) -> None:
        self.cursor = cursor
        cursor.execute(f"SELECT position, size FROM {TRACKING} WHERE name = %s FOR UPDATE", (LOG,))
        row = cursor.fetchone()
        assert row is not None, "audit tables not created"
        self.position, self.size = int(row[0]), int(row[1])

    def get(self, level: int, index: int) -> bytes:
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        return _get_many(self.cursor, keys)

    def write(self, leaves: Sequence[Leaf], nodes: Sequence[Node], position: int) -> None:
        _copy(self.cursor, LEAVES, LEAF_COLUMNS, LEAF_TYPES, leaves)
        _copy(self.cursor, NODES, "level, idx, hash", NODE_TYPES, nodes)
        self.cursor.execute(
            f"UPDATE {TRACKING} SET position = %s, size = %s WHERE name = %s AND size = %s",
            (position, self.size + len(leaves), LOG, self.size),
        )
        if self.cursor.rowcount != 1:
            raise ConcurrentAppendError(expected_size=self.size)


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

    def _get_many(self, cursor: Any, keys: Sequence[Key]) -> dict[Key, bytes]:
        return _get_many(cursor, keys)

    def create(self) -> None:
        with self._cursor(commit=True) as cursor:
            # Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('appeals-audit-create'))")
            for statement in DDL:
                cursor.execute(statement)

    @contextmanager
    def appending(self) -> Iterator[PostgresAppender]:
        with self._cursor(commit=True) as cursor:
            yield PostgresAppender(cursor)

    def stored_events_of(self, appeal_id: str) -> list[EventRow]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(
                f"SELECT notification_id, originator_id::text, originator_version, "
                f"topic, state FROM {self.events_table} WHERE originator_id = %s "
                "ORDER BY originator_version",
                (UUID(appeal_id),),
            )
            return [(int(n), str(a), int(v), str(t), bytes(s)) for n, a, v, t, s in cursor]

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
