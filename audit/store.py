"""The audit log's tables, and the one interface both stores implement.

Tables (``?`` placeholders; PostgreSQL rewrites them and uses BYTEA and COPY):

- ``audit_leaves``: one row per leaf, keyed by the gapless leaf index; unique per event.
- ``audit_nodes``: complete aligned subtrees of level >= 1 (level 0 is the leaves table).
- ``audit_tracking``: one row, the last notification id in the log and the log's size.
- ``audit_checkpoints``: signed notes, in the order they were signed.

Leaves, nodes and tracking change together in one transaction that first locks the
tracking row, so the log grows exactly once even with concurrent catch-ups.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from audit.leaves import EventHead, Leaf
from audit.merkle import Key, Node

LEAVES, NODES, TRACKING, CHECKPOINTS = (
    "audit_leaves",
    "audit_nodes",
    "audit_tracking",
    "audit_checkpoints",
)
LOG = "audit-log"
LEAF_COLUMNS = "leaf_index, notification_id, appeal_id, version, topic, state_sha256, leaf_hash"

EventRow = tuple[int, str, int, str, bytes]
"""(notification id, appeal id, version, topic, stored state bytes) as the events table has it."""


class ConcurrentAppendError(Exception):
    """Another catch-up moved the log first; this batch rolled back and nothing was lost."""

    def __init__(self, *, expected_size: int) -> None:
        super().__init__(f"expected_size={expected_size}")
        self.expected_size = expected_size


@dataclass(frozen=True)
class StoredCheckpoint:
    """A signed checkpoint as stored: its row id, the signed fields and the note text."""

    id: int
    size: int
    root: bytes
    time: datetime
    note: str


class Appender(Protocol):
    """The log's right end, locked for one transaction."""

    position: int
    size: int

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of node (level, index) as stored."""
        ...

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Return stored node hashes, in one round trip."""
        ...

    def write(self, leaves: Sequence[Leaf], nodes: Sequence[Node], position: int) -> None:
        """Store leaves and nodes and move the tracking row, or raise ConcurrentAppendError."""
        ...


EventPage = tuple[int, list[EventHead]]
"""(leaf index of the first event, events) of one page of the events table."""
LeafPage = tuple[int, bytes, bytes]
"""(first leaf index, the stored leaves from there as ``stored_leaf_bytes``: inputs, hashes)."""
Incomplete = tuple[str, list[tuple[int, int]]]
"""An appeal whose versions are not 1..n, with its (version, notification id) pairs."""


class Snapshot(Protocol):
    """A consistent read-only view of the raw events and every audit table."""

    parallel: bool
    """Whether ``leaf_pages``, ``appeals`` and ``level_digests`` may run beside the pages."""

    def count_events(self, *, after: int = 0) -> int:
        """How many events the events table holds after notification id ``after``."""
        ...

    def event_pages(
        self, cuts: Sequence[int], batch: int, *, until: int | None
    ) -> Iterator[EventPage]:
        """Stored events up to notification ``until``, in log order, in pages of ``cut_pages``."""
        ...

    def leaf_pages(self, cuts: Sequence[int], batch: int) -> Iterator[LeafPage]:
        """Stored leaves in pages of ``cut_pages``, endlessly (empty past the end).

        It may read on a connection of its own, so that the store works on both at once.
        """
        ...

    def leaves_between(self, start: int, stop: int) -> list[Leaf]:
        """The stored leaves with indices in ``[start, stop)``, in order."""
        ...

    def appeals(self, limit: int) -> tuple[int, list[Incomplete]]:
        """How many appeals there are, and up to ``limit`` whose versions are not 1..n."""
        ...

    def level_digests(self) -> dict[int, tuple[bytes, int]]:
        """For each stored level >= 1: SHA-256 of its hashes in index order, and its count.

        It may read on a connection of its own, so that the store works on both at once.
        """
        ...

    def nodes_between(self, level: int, start: int, stop: int) -> list[tuple[int, bytes]]:
        """The stored (index, hash) of ``level`` with indices in ``[start, stop)``."""
        ...

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, oldest first."""
        ...

    def tracking(self) -> tuple[int, int]:
        """(last notification id, size) of the log."""
        ...


def cut_pages(start: int, cuts: Sequence[int], batch: int) -> int:
    """How many events the page starting at leaf ``start`` may hold to end at the next cut."""
    later = [cut for cut in cuts if cut > start]
    return min([batch, *(cut - start for cut in later)])


class AuditStore(Protocol):
    """The audit log's storage on one store (SQLite or PostgreSQL)."""

    def create(self) -> None:
        """Create the tables if missing."""
        ...

    def appending(self) -> AbstractContextManager[Appender]:
        """Lock the log's end for one write transaction."""
        ...

    def tracking(self) -> tuple[int, int]:
        """(last notification id, size) of the log."""
        ...

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of node (level, index); KeyError when not stored."""
        ...

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Return node hashes in one round trip; KeyError when one is not stored."""
        ...

    def leaves_of(self, appeal_id: str) -> list[Leaf]:
        """The leaves of one appeal's events, by version."""
        ...

    def stored_events_of(self, appeal_id: str) -> list[EventRow]:
        """One appeal's rows of the events table, by version, bytes as stored."""
        ...

    def add_checkpoint(self, size: int, root: bytes, time: datetime, note: str) -> int:
        """Store a signed checkpoint and return its id."""
        ...

    def checkpoints(self, *, limit: int | None = None) -> list[StoredCheckpoint]:
        """Stored checkpoints, newest first."""
        ...

    def snapshot(self) -> AbstractContextManager[Snapshot]:
        """A consistent read-only view for the verifier."""
        ...


def checkpoint_from_row(row: Sequence[Any]) -> StoredCheckpoint:
    """Build a StoredCheckpoint from (id, tree_size, root, signed_at, note)."""
    ident, size, root, signed_at, note = row
    return StoredCheckpoint(
        int(ident), int(size), bytes(root), datetime.fromisoformat(str(signed_at)), str(note)
    )


def leaf_from_row(row: Sequence[Any]) -> Leaf:
    """Build a Leaf from a row in LEAF_COLUMNS order."""
    index, nid, appeal_id, version, topic, digest, hashed = row
    return Leaf(
        int(index), int(nid), str(appeal_id), int(version), str(topic), bytes(digest), bytes(hashed)
    )


class SqlSnapshot:
    """What both stores' snapshots read the same way; each gives ``_rows`` and its mark."""

    mark = "?"
    events: str
    """The events table."""

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _versions(self) -> str:
        """A subquery of each appeal's stored id ``o``, count ``n`` and versions ``lo``..``hi``."""
        return (
            f"SELECT originator_id AS o, count(*) AS n, min(originator_version) AS lo, "
            f"max(originator_version) AS hi FROM {self.events} GROUP BY originator_id"
        )

    def leaves_between(self, start: int, stop: int) -> list[Leaf]:
        """The stored leaves with indices in ``[start, stop)``, in order."""
        m = self.mark
        rows = self._rows(
            f"SELECT {LEAF_COLUMNS} FROM {LEAVES} WHERE leaf_index >= {m} "
            f"AND leaf_index < {m} ORDER BY leaf_index",
            (start, stop),
        )
        return [leaf_from_row(row) for row in rows]

    def nodes_between(self, level: int, start: int, stop: int) -> list[tuple[int, bytes]]:
        """The nodes of ``level`` with ``start <= index < stop``, in order."""
        m = self.mark
        rows = self._rows(
            f"SELECT idx, hash FROM {NODES} WHERE level = {m} AND idx >= {m} AND idx < {m} "
            "ORDER BY idx",
            (level, start, stop),
        )
        return [(int(index), bytes(digest)) for index, digest in rows]

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, oldest first."""
        rows = self._rows(
            f"SELECT id, tree_size, root, signed_at, note FROM {CHECKPOINTS} ORDER BY id"
        )
        return [checkpoint_from_row(row) for row in rows]

    def tracking(self) -> tuple[int, int]:
        """The last notification id in the log and the log's size, as of the snapshot."""
        rows = self._rows(f"SELECT position, size FROM {TRACKING} WHERE name = {self.mark}", (LOG,))
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)
