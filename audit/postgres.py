"""The audit log's tables on PostgreSQL: a row lock serialises catch-ups, COPY writes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection, Cursor, sql
from psycopg.rows import TupleRow, tuple_row

from audit.leaves import PREIMAGE, Leaf
from audit.merkle import Key, Node
from audit.store import (
    CHECKPOINTS,
    LEAF_COLUMNS,
    LEAVES,
    LOG,
    NODES,
    TRACKING,
    ConcurrentAppendError,
    EventPage,
    EventRow,
    Incomplete,
    LeafPage,
    StoredCheckpoint,
    checkpoint_from_row,
    cut_pages,
    leaf_from_row,
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
PgCursor = Cursor[TupleRow]
NODE_PAGE = 200_000
# Each event as ``event_head`` spells it, and its state: two values a row parse fast. A uuid's
# text is always 36 characters; ``textsend`` is a plain copy (the snapshot's client encoding is
# UTF-8), several times cheaper per row than ``convert_to`` and a second uuid-to-text.
EVENT_HEADS = (
    "SELECT int8send(notification_id) || '\\x00000024'::bytea || textsend(originator_id::text) "
    "|| int8send(originator_version) || int4send(octet_length(topic)) || textsend(topic), state "
    "FROM {} WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
)
# Each stored leaf as ``stored_leaf_bytes`` spells it, built by the server: the inputs and the
# hashes of a page, each as one value. The aggregates read a subquery already in leaf order
# rather than sorting again (``ORDER BY`` inside an aggregate always sorts, which cost twice
# the rest); were the rows ever fed out of order, the page would differ and be diagnosed, so
# that can only raise a false alarm, never hide a change.
STORED_LEAVES = (
    "SELECT string_agg(%s::bytea || int8send(leaf_index) || int8send(notification_id) || "
    "int4send(octet_length(appeal_id)) || textsend(appeal_id) || int8send(version) || "
    "int4send(octet_length(topic)) || textsend(topic) || state_sha256, ''::bytea), "
    f"string_agg(leaf_hash, ''::bytea) FROM (SELECT * FROM {LEAVES} WHERE leaf_index >= %s "
    "AND leaf_index < %s ORDER BY leaf_index) AS page"
)
# One page of a level's node hashes in index order, by the same ordered subquery, its size and
# its last index (indices 0..n-1 and none else: a node that moved would keep the digest).
LEVEL_PAGE = (
    f"SELECT count(*), max(idx), string_agg(hash, ''::bytea) FROM (SELECT idx, hash FROM {NODES} "
    "WHERE level = %s AND idx >= %s AND idx < %s ORDER BY idx) AS page"
)


def _get_many(cursor: PgCursor, keys: Sequence[Key]) -> dict[Key, bytes]:
    found: dict[Key, bytes] = {}
    leaves = [index for level, index in keys if level == 0]
    inner = [key for key in keys if key[0] > 0]
    if leaves:
        cursor.execute(f"SELECT leaf_index, leaf_hash FROM {LEAVES} WHERE leaf_index = ANY(%s)",
                       (leaves,))  # fmt: skip
        found.update(((0, index), bytes(digest)) for index, digest in cursor.fetchall())
    if inner:
        cursor.execute(f"SELECT level, idx, hash FROM {NODES} WHERE (level, idx) IN "
                       "(SELECT * FROM unnest(%s::integer[], %s::bigint[]))",
                       ([level for level, _ in inner], [index for _, index in inner]))  # fmt: skip
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


class PostgresSnapshot:
    """One REPEATABLE READ, READ ONLY transaction, read in keyset pages of binary rows."""

    parallel = True

    def __init__(self, datastore: PostgresDatastore, connection: Connection[Any],
                 events_table: str) -> None:  # fmt: skip
        self.datastore, self.connection, self.events = datastore, connection, events_table
        self.snapshot_id = _begin_snapshot(connection, None)

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[TupleRow]:
        with self.connection.cursor(row_factory=tuple_row, binary=True) as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    def count_events(self, *, after: int = 0) -> int:
        rows = self._rows(
            f"SELECT count(*) FROM {self.events} WHERE notification_id > %s", (after,)
        )
        return int(rows[0][0])

    def event_pages(
        self, cuts: Sequence[int], batch: int, *, until: int | None
    ) -> Iterator[EventPage]:
        start, last, stop = 0, 0, 2**63 - 1 if until is None else until
        while rows := self._rows(EVENT_HEADS.format(self.events),
                                 (last, stop, cut_pages(start, cuts, batch))):  # fmt: skip
            yield start, rows
            start, last = start + len(rows), int.from_bytes(rows[-1][0][:8], "big")

    @contextmanager
    def _side(self) -> Iterator[PgCursor]:
        """A cursor on another backend in the same snapshot, to work beside the pages."""
        with (self.datastore.get_connection() as other,
              other.transaction(force_rollback=True)):  # fmt: skip
            _begin_snapshot(other, self.snapshot_id)
            with other.cursor(row_factory=tuple_row, binary=True) as cursor:
                yield cursor

    def leaf_pages(self, cuts: Sequence[int], batch: int) -> Iterator[LeafPage]:
        with self._side() as cursor:
            start = 0
            while True:
                stop = start + cut_pages(start, cuts, batch)
                cursor.execute(STORED_LEAVES, (PREIMAGE, start, stop))
                row = cursor.fetchone()
                inputs, hashes = row if row else (None, None)
                yield start, bytes(inputs or b""), bytes(hashes or b"")
                start = stop

    def leaves_between(self, start: int, stop: int) -> list[Leaf]:
        rows = self._rows(f"SELECT {LEAF_COLUMNS} FROM {LEAVES} WHERE leaf_index >= %s "
                          "AND leaf_index < %s ORDER BY leaf_index", (start, stop))  # fmt: skip
        return [leaf_from_row(row) for row in rows]

    def appeals(self, limit: int) -> tuple[int, list[Incomplete]]:
        with self._side() as cursor:
            return self._appeals(cursor, limit)

    def _appeals(self, cursor: PgCursor, limit: int) -> tuple[int, list[Incomplete]]:
        grouped = (
            f"SELECT originator_id AS o, count(*) AS n, min(originator_version) AS lo, "
            f"max(originator_version) AS hi FROM {self.events} GROUP BY originator_id"
        )
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE lo <> 1 OR hi <> n) "
                       f"FROM ({grouped}) g")  # fmt: skip
        total, bad_count = cursor.fetchall()[0]
        found: list[Incomplete] = []
        if bad_count:
            cursor.execute(f"SELECT o FROM ({grouped}) g WHERE lo <> 1 OR hi <> n LIMIT %s",
                           (limit,))  # fmt: skip
            for (appeal_id,) in cursor.fetchall():
                cursor.execute(f"SELECT originator_version, notification_id FROM {self.events} "
                               "WHERE originator_id = %s ORDER BY originator_version",
                               (appeal_id,))  # fmt: skip
                found.append((str(appeal_id), [(int(v), int(n)) for v, n in cursor.fetchall()]))
        return int(total), found

    def level_digests(self) -> dict[int, tuple[bytes, int]]:
        found = {}
        with self._side() as cursor:  # index lookups: counting by level would scan every node
            cursor.execute(f"SELECT min(level), max(level) FROM {NODES}")
            low, high = cursor.fetchall()[0]
            for level in range(low or 0, high + 1 if high is not None else 0):
                digest, count, start, last = hashlib.sha256(), 0, 0, -1
                while True:  # pages of [start, start + NODE_PAGE) until one is not full
                    cursor.execute(LEVEL_PAGE, (level, start, start + NODE_PAGE))
                    size, top, hashes = cursor.fetchall()[0]
                    digest.update(bytes(hashes or b""))
                    count, start = count + int(size), start + NODE_PAGE
                    last = last if top is None else int(top)
                    if size < NODE_PAGE:
                        break
                cursor.execute(f"SELECT count(*) FROM {NODES} WHERE level = %s "
                               "AND (idx < 0 OR idx >= %s)", (level, start))  # fmt: skip
                count += int(cursor.fetchall()[0][0])
                if last != count - 1:
                    digest.update(b"!")  # a gap in the indices: matches no level
                if count:
                    found[int(level)] = (digest.digest(), count)
        return found

    def nodes_between(self, level: int, start: int, stop: int) -> list[tuple[int, bytes]]:
        rows = self._rows(f"SELECT idx, hash FROM {NODES} WHERE level = %s AND idx >= %s "
                          "AND idx < %s ORDER BY idx", (level, start, stop))  # fmt: skip
        return [(int(index), bytes(digest)) for index, digest in rows]

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self._rows(f"SELECT id, tree_size, root, signed_at, note FROM {CHECKPOINTS} "
                          "ORDER BY id")  # fmt: skip
        return [checkpoint_from_row(row) for row in rows]

    def tracking(self) -> tuple[int, int]:
        rows = self._rows(f"SELECT position, size FROM {TRACKING} WHERE name = %s", (LOG,))
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


class PostgresAuditStore:
    """The audit log's tables in the ledger's PostgreSQL database."""

    def __init__(self, datastore: PostgresDatastore, events_table: str) -> None:
        self.datastore = datastore
        self.events_table = events_table

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[PgCursor]:
        with (self.datastore.get_connection() as connection,
              connection.transaction(force_rollback=not commit),
              connection.cursor(row_factory=tuple_row) as cursor):  # fmt: skip
            yield cursor

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

    def tracking(self) -> tuple[int, int]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(f"SELECT position, size FROM {TRACKING} WHERE name = %s", (LOG,))
            row = cursor.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def get(self, level: int, index: int) -> bytes:
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        with self._cursor(commit=False) as cursor:
            return _get_many(cursor, keys)

    def leaves_of(self, appeal_id: str) -> list[Leaf]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(f"SELECT {LEAF_COLUMNS} FROM {LEAVES} WHERE appeal_id = %s "
                           "ORDER BY version", (appeal_id,))  # fmt: skip
            return [leaf_from_row(row) for row in cursor.fetchall()]

    def stored_events_of(self, appeal_id: str) -> list[EventRow]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(f"SELECT notification_id, originator_id::text, originator_version, "
                           f"topic, state FROM {self.events_table} WHERE originator_id = %s "
                           "ORDER BY originator_version", (UUID(appeal_id),))  # fmt: skip
            return [(int(n), str(a), int(v), str(t), bytes(s)) for n, a, v, t, s in cursor]

    def add_checkpoint(self, size: int, root: bytes, time: datetime, note: str) -> int:
        with self._cursor(commit=True) as cursor:
            cursor.execute(f"INSERT INTO {CHECKPOINTS} (tree_size, root, signed_at, note) "
                           "VALUES (%s, %s, %s, %s) RETURNING id",
                           (size, root, time.isoformat(), note))  # fmt: skip
            row = cursor.fetchone()
        assert row is not None
        return int(row[0])

    def checkpoints(self, *, limit: int | None = None) -> list[StoredCheckpoint]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(f"SELECT id, tree_size, root, signed_at, note FROM {CHECKPOINTS} "
                           "ORDER BY id DESC LIMIT %s", (limit,))  # fmt: skip
            return [checkpoint_from_row(row) for row in cursor.fetchall()]

    @contextmanager
    def snapshot(self) -> Iterator[PostgresSnapshot]:
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(force_rollback=True),
        ):
            yield PostgresSnapshot(self.datastore, connection, self.events_table)


def _begin_snapshot(connection: Connection[Any], snapshot_id: str | None) -> str:
    """Make the open transaction a read-only snapshot (exported, or imported from another)."""
    connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    if snapshot_id is not None:
        connection.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot_id)))
    # Pages are short index range scans: without fresh statistics the planner may sort the
    # whole table per page, and compiling a plan costs more than running it.
    for setting in ("jit", "enable_bitmapscan", "enable_sort"):
        connection.execute(f"SET LOCAL {setting} = off")
    connection.execute("SET LOCAL work_mem = '64MB'")  # joined pages sort in memory
    connection.execute("SET LOCAL client_encoding = 'UTF8'")  # what ``textsend`` gives
    row = connection.execute("SELECT pg_export_snapshot()").fetchone()
    assert row is not None
    return str(row[0] if isinstance(row, tuple) else next(iter(row.values())))
