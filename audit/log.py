"""The audit log as a projection: every stored event becomes one leaf, exactly once."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from audit import merkle
from audit.leaves import Leaf, make_leaf
from audit.merkle import Node, TreeBuilder
from audit.postgres import PostgresAuditStore
from audit.sqlite import SqliteAuditStore
from audit.store import AuditStore

BATCH = 10_000


@dataclass(frozen=True)
class Head:
    """The log's current size and root, and the last notification id it holds."""

    size: int
    root: bytes
    position: int


def audit_store_for(
    datastore: SQLiteDatastore | PostgresDatastore, events_table: str
) -> SqliteAuditStore | PostgresAuditStore:
    """The implementation that fits the ledger's datastore."""
    if isinstance(datastore, PostgresDatastore):
        return PostgresAuditStore(datastore, events_table)
    return SqliteAuditStore(datastore, events_table)


class AuditLog:
    """Follows the recorder's notifications into an append-only RFC 6962 Merkle log."""

    def __init__(self, store: AuditStore, recorder: ApplicationRecorder) -> None:
        self.store = store
        self.recorder = recorder

    def catch_up(self, batch_size: int = BATCH) -> int:
        """Append every event not yet in the log, one transaction per page; returns how many."""
        added = 0
        while (appended := self.append_page(batch_size)) != 0:
            added += max(appended, 0)
        return added

    def append_page(self, limit: int) -> int:
        """Append up to ``limit`` events with their nodes and position, in one transaction.

        Returns how many were appended, 0 when there was nothing new, and -1 when another
        appender moved the log meanwhile (call again). The events are read *before* the
        write transaction: on SQLite the pool's reader waits for its writer, so reading
        inside the write transaction would deadlock until the pool's timeout.
        """
        position, _ = self.store.tracking()
        notifications = self.recorder.select_notifications(
            start=position, limit=limit, inclusive_of_start=False
        )
        if not notifications:
            return 0
        with self.store.appending() as end:
            if end.position != position:
                return -1
            builder = TreeBuilder.resume(end.size, end)
            leaves: list[Leaf] = []
            nodes: list[Node] = []
            for n in notifications:
                leaf = make_leaf(
                    builder.size, n.id, str(n.originator_id), n.originator_version, n.topic, n.state
                )
                leaves.append(leaf)
                nodes.extend(builder.append(leaf.hash)[1:])
            end.write(leaves, nodes, notifications[-1].id)
            return len(leaves)

    def head(self) -> Head:
        """The log's size, root and position now."""
        position, size = self.store.tracking()
        return Head(size, merkle.root(size, self.store), position)

    def root(self, size: int) -> bytes:
        """The root of the first ``size`` leaves; ValueError beyond the log."""
        self._check_size(size)
        return merkle.root(size, self.store)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
        self._check_size(size)
        return merkle.inclusion_proof(index, size, self.store)

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """The proof that the tree of ``size1`` leaves is a prefix of the one of ``size2``."""
        self._check_size(size2)
        return merkle.consistency_proof(size1, size2, self.store)

    def leaves_of(self, appeal_id: str) -> list[Leaf]:
        """The leaves of one appeal's events, by version."""
        return self.store.leaves_of(appeal_id)

    def _check_size(self, size: int) -> None:
        _, logged = self.store.tracking()
        if not 0 <= size <= logged:
            raise ValueError(f"tree size {size} is outside the log of {logged} leaves")
