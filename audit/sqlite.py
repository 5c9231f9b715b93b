"""The audit log's tables on SQLite: the write lock serialises catch-ups."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore

from audit.leaves import EventHead, Leaf, event_head, stored_leaf_bytes
from audit.merkle import Key, Node
from audit.sql_store import SqlAppender, SqlAuditStore
from audit.store import (
    CHECKPOINTS,
    LEAF_COLUMNS,
    LEAVES,
    LOG,
    NODES,
    TRACKING,
    EventPage,
    Incomplete,
    LeafPage,
    SqlSnapshot,
    cut_pages,
)

TABLES = (LEAVES, NODES, TRACKING, CHECKPOINTS)
DDL = [
    f"CREATE TABLE IF NOT EXISTS {LEAVES} (leaf_index INTEGER PRIMARY KEY, "
    "notification_id INTEGER NOT NULL, appeal_id TEXT NOT NULL, version INTEGER NOT NULL, "
    "topic TEXT NOT NULL, state_sha256 BLOB NOT NULL, leaf_hash BLOB NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {LEAVES}_event ON {LEAVES} (appeal_id, version)",
    f"CREATE TABLE IF NOT EXISTS {NODES} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
    f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, position INTEGER NOT NULL, "
    "size INTEGER NOT NULL)",
    f"INSERT INTO {TRACKING} (name, position, size) VALUES ('{LOG}', 0, 0) "
    "ON CONFLICT (name) DO NOTHING",
    f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "tree_size INTEGER NOT NULL, root BLOB NOT NULL, signed_at TEXT NOT NULL, note TEXT NOT NULL)",
]
# The SQLite recorder stores UUIDs as 32 hex digits; leaves use the canonical spelling.
APPEAL_ID = (
    "lower(substr(originator_id, 1, 8) || '-' || substr(originator_id, 9, 4) || '-' || "
    "substr(originator_id, 13, 4) || '-' || substr(originator_id, 17, 4) || '-' || "
    "substr(originator_id, 21, 12))"
)


def _head(nid: int, appeal_id: Any, version: Any, topic: Any, state: Any) -> EventHead:
    """SQLite stores any type in any column: a value of the wrong type is kept visible."""
    stored = state if isinstance(state, bytes) else str(state).encode()
    try:
        return event_head(nid, str(appeal_id), int(version), str(topic)), stored
    except (ValueError, struct.error):
        return event_head(nid, str(appeal_id), 2**64 - 1, f"{topic!r} v{version!r}"), stored


class SqliteAppender(SqlAppender):
    """The log's end under SQLite's write lock."""

    @staticmethod
    def _lock(cursor: sqlite3.Cursor) -> tuple[int, int]:
        # Writing first takes the write lock before reading, so no stale snapshot.
        cursor.execute(f"UPDATE {TRACKING} SET size = size WHERE name = ?", (LOG,))
        cursor.execute(f"SELECT position, size FROM {TRACKING} WHERE name = ?", (LOG,))
        position, size = cursor.fetchone()
        return int(position), int(size)

    @staticmethod
    def _leaf_hashes(cursor: sqlite3.Cursor, indices: list[int]) -> list[Any]:
        marks = ",".join("?" * len(indices))
        cursor.execute(
            f"SELECT leaf_index, leaf_hash FROM {LEAVES} WHERE leaf_index IN ({marks})", indices
        )
        return cursor.fetchall()

    @staticmethod
    def _node_hashes(cursor: sqlite3.Cursor, keys: list[Key]) -> list[Any]:
        marks = ",".join("(?,?)" for _ in keys)
        cursor.execute(
            f"SELECT level, idx, hash FROM {NODES} WHERE (level, idx) IN (VALUES {marks})",
            [n for key in keys for n in key],
        )
        return cursor.fetchall()

    def _insert(self, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        self.cursor.executemany(
            f"INSERT INTO {LEAVES} ({LEAF_COLUMNS}) VALUES (?,?,?,?,?,?,?)", leaves
        )
        self.cursor.executemany(f"INSERT INTO {NODES} (level, idx, hash) VALUES (?,?,?)", nodes)


class SqliteSnapshot(SqlSnapshot):
    """One read transaction: WAL gives every cursor the same snapshot."""

    parallel = False

    def __init__(self, connection: Any, events_table: str) -> None:
        self.connection = connection
        self.events = events_table

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        cursor: sqlite3.Cursor = self.connection.cursor().sqlite_cursor
        try:
            cursor.execute(statement, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def count_events(self, *, after: int = 0) -> int:
        return int(
            self._rows(f"SELECT count(*) FROM {self.events} WHERE rowid > ?", (after,))[0][0]
        )

    def event_pages(
        self, cuts: Sequence[int], batch: int, *, until: int | None
    ) -> Iterator[EventPage]:
        statement = (
            f"SELECT rowid, {APPEAL_ID}, originator_version, topic, state "
            f"FROM {self.events} WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?"
        )
        start, last, stop = 0, 0, 2**63 - 1 if until is None else until
        while rows := self._rows(statement, (last, stop, cut_pages(start, cuts, batch))):
            yield start, [_head(*row) for row in rows]
            start, last = start + len(rows), rows[-1][0]

    def leaf_pages(self, cuts: Sequence[int], batch: int) -> Iterator[LeafPage]:
        start = 0
        while True:
            stop = start + cut_pages(start, cuts, batch)
            yield start, *stored_leaf_bytes(self.leaves_between(start, stop))
            start = stop

    def appeals(self, limit: int) -> tuple[int, list[Incomplete]]:
        grouped = self._versions()
        total = int(self._rows(f"SELECT count(*) FROM ({grouped})")[0][0])
        bad = self._rows(f"SELECT o FROM ({grouped}) WHERE lo <> 1 OR hi <> n LIMIT ?", (limit,))
        found: list[Incomplete] = []
        for (stored_id,) in bad:
            rows = self._rows(
                f"SELECT {APPEAL_ID}, originator_version, rowid FROM {self.events} "
                "WHERE originator_id = ? ORDER BY originator_version",
                (stored_id,),
            )
            found.append((rows[0][0], [(int(v), int(n)) for _, v, n in rows]))
        return total, found

    def level_digests(self) -> dict[int, tuple[bytes, int]]:
        found = {}
        for (level,) in self._rows(f"SELECT DISTINCT level FROM {NODES}"):
            digest, count = hashlib.sha256(), 0
            for (hashed,) in self._rows(
                f"SELECT hash FROM {NODES} WHERE level = ? ORDER BY idx", (level,)
            ):
                digest.update(hashed)
                count += 1
            found[int(level)] = (digest.digest(), count)
        return found


class SqliteAuditStore(SqlAuditStore):
    """The audit log's tables in the ledger's SQLite file."""

    appender = SqliteAppender
    event_columns = f"rowid, {APPEAL_ID}"

    def __init__(self, datastore: SQLiteDatastore, events_table: str) -> None:
        self.datastore = datastore
        self.events_table = events_table

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[sqlite3.Cursor]:
        with self.datastore.transaction(commit=commit) as wrapped:
            yield wrapped.sqlite_cursor

    def create(self) -> None:
        # Only if one is missing: workers starting together would each upgrade a schema read
        # to a write, which SQLite refuses at once ("database is locked").
        with self._cursor(commit=False) as cursor:
            cursor.execute(f"SELECT count(*) FROM sqlite_master WHERE name IN {TABLES!r}")
            row = cursor.fetchone()
        if row is not None and row[0] == len(TABLES):
            return
        with self._cursor(commit=True) as cursor:
            for statement in DDL:
                cursor.execute(statement)

    def _stored_id(self, appeal_id: str) -> str:
        return UUID(appeal_id).hex

    def add_checkpoint(self, size: int, root: bytes, time: datetime, note: str) -> int:
        with self._cursor(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {CHECKPOINTS} (tree_size, root, signed_at, note) VALUES (?, ?, ?, ?)",
                (size, root, time.isoformat(), note),
            )
            return int(cursor.lastrowid or 0)

    @contextmanager
    def snapshot(self) -> Iterator[SqliteSnapshot]:
        with (
            self.datastore.get_connection(commit=False) as connection,
            connection.transaction(commit=False),
        ):
            yield SqliteSnapshot(connection, self.events_table)
