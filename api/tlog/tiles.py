"""Tiles and entry bundles read from the audit log's stored subtree hashes and leaves.

Every hash of a tile is a complete aligned subtree the audit log stores the moment it is
complete (``ledger.merkle``), so a tile is one ``get_many`` and needs no hashing; an entry
bundle is the leaves' ``encode_leaf`` bytes, as the audit log hashed them.
"""

from __future__ import annotations

from ledger.verify import encode_leaf
from ledger.verify.tiles import Tile, encode_bundle_entries
from projections.audit import AuditStore
from projections.audit.leaves import Leaf


class TileNotFoundError(LookupError):
    """The tile lies beyond the log, or is a partial tile no tree of this log has."""


class TileReader:
    """Reads tiles of the log's current tree; a tile the log has not reached is not found."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store

    def size(self) -> int:
        """The number of leaves the log holds now."""
        return self.store.tracking()[1]

    def read(self, tile: Tile, size: int | None = None) -> bytes:
        """The tile's bytes within a tree of ``size`` leaves (default: the log's size)."""
        size = self.size() if size is None else size
        _, stop = tile.leaf_range()
        if stop > size:
            raise TileNotFoundError(tile.path())
        if tile.is_entries:
            start, _ = tile.leaf_range()
            return encode_bundle_entries([entry(leaf) for leaf in self._leaves(start, stop)])
        stored = self.store.get_many(tile.subtrees())
        return b"".join(stored[key] for key in tile.subtrees())

    def _leaves(self, start: int, stop: int) -> list[Leaf]:
        with self.store.snapshot() as snapshot:
            return snapshot.leaves_between(start, stop)


def entry(leaf: Leaf) -> bytes:
    """A leaf's bytes in an entry bundle: exactly what its leaf hash hashes."""
    return encode_leaf(
        leaf.leaf_index,
        leaf.notification_id,
        leaf.appeal_id,
        leaf.version,
        leaf.topic,
        leaf.state_sha256,
    )
