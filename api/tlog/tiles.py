"""Tiles and entry bundles read from the audit log's stored subtree hashes and leaves.

Every hash of a tile is a complete aligned subtree the audit log stores the moment it is
complete (``ledger.merkle``): level-0 tiles are leaf hashes, level ``L`` tiles the nodes of
Merkle level ``8 * L``, so a tile is one range query and needs no hashing. An entry bundle is
the leaves' ``encode_leaf`` bytes, as the audit log hashed them.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row

from api.storage.sql import Sql
from audit import AuditStore
from audit.leaves import Leaf
from audit.store import LEAF_COLUMNS, LEAVES, NODES, leaf_from_row
from ledger.verify import encode_leaf
from ledger.verify.tiles import HEIGHT, Tile, encode_bundle_entries


class TileNotFoundError(LookupError):
    """The tile lies beyond the log."""


class TileReader:
    """Reads tiles of the log's current tree; a tile the log has not reached is not found."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store
        self.datastore = store.datastore  # type: ignore[attr-defined]
        self.sql = Sql(self.datastore)

    def rows(self, statement: str, params: tuple[int, ...]) -> list[tuple[Any, ...]]:
        """A query's rows as tuples (``?`` placeholders)."""
        if not isinstance(self.datastore, PostgresDatastore):
            return self.sql.rows(statement, params)
        # A pooled connection is in autocommit: one round trip, no BEGIN and COMMIT.
        with self.datastore.get_connection() as connection:
            cursor = connection.cursor(row_factory=tuple_row)
            return cursor.execute(self.sql.dialect.sql(statement), params).fetchall()

    def size(self) -> int:
        """The number of leaves the log holds now."""
        return self.store.tracking()[1]

    def read(self, tile: Tile, size: int | None = None) -> bytes:
        """The tile's bytes within a tree of ``size`` leaves (default: the log's size)."""
        size = self.size() if size is None else size
        start, stop = tile.leaf_range()
        if stop > size:
            raise TileNotFoundError(tile.path())
        first, last = tile.index * 256, tile.index * 256 + tile.width
        if tile.is_entries:
            rows = self.rows(
                f"SELECT {LEAF_COLUMNS} FROM {LEAVES} WHERE leaf_index >= ? AND leaf_index < ? "
                "ORDER BY leaf_index",
                (start, stop),
            )
            data = encode_bundle_entries([entry(leaf_from_row(row)) for row in rows])
            found = len(rows)
        elif tile.level == 0:
            rows = self.rows(
                f"SELECT leaf_hash FROM {LEAVES} WHERE leaf_index >= ? AND leaf_index < ? "
                "ORDER BY leaf_index",
                (first, last),
            )
            data, found = b"".join(bytes(row[0]) for row in rows), len(rows)
        else:
            rows = self.rows(
                f"SELECT hash FROM {NODES} WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                (HEIGHT * tile.level, first, last),
            )
            data, found = b"".join(bytes(row[0]) for row in rows), len(rows)
        if found != tile.width:
            raise TileNotFoundError(tile.path())
        return data


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
