"""What both stores do the same way with the audit tables; each gives its dialect's pieces.

A store subclass names its cursor, placeholder, appender and how the events table spells an
event's id and appeal id; an appender subclass how it locks the log's end, reads stored
hashes and inserts rows. The SQL that differs stays in ``audit.sqlite`` and ``audit.postgres``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from audit.leaves import Leaf
from audit.merkle import Key, Node
from audit.store import (
    CHECKPOINTS,
    LEAF_COLUMNS,
    LEAVES,
    LOG,
    TRACKING,
    ConcurrentAppendError,
    EventRow,
    StoredCheckpoint,
    checkpoint_from_row,
    leaf_from_row,
)


class SqlAppender:
    """The log's end, locked for one write transaction on ``cursor``."""

    mark = "?"
    """The driver's placeholder."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.position, self.size = self._lock(cursor)

    @staticmethod
    def _lock(cursor: Any) -> tuple[int, int]:
        """Lock the tracking row; the log's (position, size) under the lock."""
        raise NotImplementedError

    @staticmethod
    def _leaf_hashes(cursor: Any, indices: list[int]) -> list[Any]:
        """Rows of (leaf index, leaf hash) of these leaves."""
        raise NotImplementedError

    @staticmethod
    def _node_hashes(cursor: Any, keys: list[Key]) -> list[Any]:
        """Rows of (level, index, hash) of these nodes of level >= 1."""
        raise NotImplementedError

    def _insert(self, leaves: Sequence[Leaf], nodes: Sequence[Node]) -> None:
        raise NotImplementedError

    @classmethod
    def read_nodes(cls, cursor: Any, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Stored hashes by (level, index), level 0 from the leaves; KeyError when one is not."""
        found: dict[Key, bytes] = {}
        leaves = [index for level, index in keys if level == 0]
        inner = [key for key in keys if key[0] > 0]
        if leaves:
            rows = cls._leaf_hashes(cursor, leaves)
            found.update(((0, index), bytes(digest)) for index, digest in rows)
        if inner:
            rows = cls._node_hashes(cursor, inner)
            found.update(((level, index), bytes(digest)) for level, index, digest in rows)
        missing = [key for key in keys if key not in found]
        if missing:
            raise KeyError(missing[0])
        return found

    def get(self, level: int, index: int) -> bytes:
        """One stored hash (level 0: a leaf's)."""
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Stored hashes by (level, index), in this transaction."""
        return self.read_nodes(self.cursor, keys)

    def write(self, leaves: Sequence[Leaf], nodes: Sequence[Node], position: int) -> None:
        """Store leaves and nodes and move the tracking row, or raise ConcurrentAppendError."""
        self._insert(leaves, nodes)
        m = self.mark
        self.cursor.execute(
            f"UPDATE {TRACKING} SET position = {m}, size = {m} WHERE name = {m} AND size = {m}",
            (position, self.size + len(leaves), LOG, self.size),
        )
        if self.cursor.rowcount != 1:
            raise ConcurrentAppendError(expected_size=self.size)


class SqlAuditStore:
    """What both stores read the same way; each gives its cursors and placeholder mark."""

    mark = "?"
    """The driver's placeholder."""
    no_limit: int | None = -1
    """The ``LIMIT`` that means none."""
    appender: type[SqlAppender]
    """The store's appender, which also reads its stored hashes."""
    event_columns: str
    """How the events table spells an event's notification id and its appeal id as text."""
    events_table: str

    def _cursor(self, *, commit: bool) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _stored_id(self, appeal_id: str) -> Any:
        """The appeal id as the events table stores it."""
        raise NotImplementedError

    @contextmanager
    def appending(self) -> Iterator[SqlAppender]:
        """Lock the log's end for one write transaction."""
        with self._cursor(commit=True) as cursor:
            yield self.appender(cursor)

    def tracking(self) -> tuple[int, int]:
        """The last notification id in the log and the log's size."""
        with self._cursor(commit=False) as cursor:
            cursor.execute(
                f"SELECT position, size FROM {TRACKING} WHERE name = {self.mark}", (LOG,)
            )
            row = cursor.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def get(self, level: int, index: int) -> bytes:
        """One node (level 0: a leaf's hash)."""
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Nodes by (level, index), in one read."""
        with self._cursor(commit=False) as cursor:
            return self.appender.read_nodes(cursor, keys)

    def leaves_of(self, appeal_id: str) -> list[Leaf]:
        """The leaves of one appeal's events, in version order."""
        with self._cursor(commit=False) as cursor:
            cursor.execute(
                f"SELECT {LEAF_COLUMNS} FROM {LEAVES} WHERE appeal_id = {self.mark} "
                "ORDER BY version",
                (appeal_id,),
            )
            return [leaf_from_row(row) for row in cursor.fetchall()]

    def stored_events_of(self, appeal_id: str) -> list[EventRow]:
        """One appeal's rows of the events table, by version, bytes as stored."""
        with self._cursor(commit=False) as cursor:
            cursor.execute(
                f"SELECT {self.event_columns}, originator_version, topic, state FROM "
                f"{self.events_table} WHERE originator_id = {self.mark} "
                "ORDER BY originator_version",
                (self._stored_id(appeal_id),),
            )
            return [(int(n), str(a), int(v), str(t), bytes(s)) for n, a, v, t, s in cursor]

    def checkpoints(self, *, limit: int | None = None) -> list[StoredCheckpoint]:
        """Stored checkpoints, newest first (``limit`` of them, or all)."""
        with self._cursor(commit=False) as cursor:
            cursor.execute(
                f"SELECT id, tree_size, root, signed_at, note FROM {CHECKPOINTS} "
                f"ORDER BY id DESC LIMIT {self.mark}",
                (self.no_limit if limit is None else limit,),
            )
            return [checkpoint_from_row(row) for row in cursor.fetchall()]
