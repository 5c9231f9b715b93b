"""``appeals audit publish --out DIR``: the log as static files any web server can serve.

Writes ``DIR/checkpoint`` (the latest signed checkpoint with its cosignatures),
``DIR/verifier-key`` and every tile and entry bundle of that checkpoint's tree under
``DIR/tile/``, laid out exactly as ``tlog-tiles`` names them. Full tiles never change, so
a full tile already in ``DIR`` is kept as it is; the checkpoint is written last, each file
through a temporary name and a rename, so a reader never sees a checkpoint whose tiles are
missing or a half-written file. Leaves and nodes below a signed size never change either,
so reading them in ranges needs no snapshot.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from api.tlog.tiles import TileReader
from audit import AuditStore
from audit.leaves import event_head
from audit.store import LEAVES, NODES
from ledger.verify import LEAF_TAG
from ledger.verify.tiles import HEIGHT, WIDTH, Tile, tiles_for_size

CHUNK = WIDTH * 64
"""Hashes read per query while publishing."""
_INDEX, _LENGTH = struct.Struct(">Q").pack, struct.Struct(">H").pack


@dataclass(frozen=True)
class Published:
    """What one publish wrote."""

    size: int
    written: int
    kept: int


def publish(store: AuditStore, out: Path, checkpoint: str, size: int, vkey: str) -> Published:
    """Write the tiles of the tree of ``size`` leaves, the verifier key and the checkpoint."""
    out.mkdir(parents=True, exist_ok=True)
    tiles = tiles_for_size(size)
    bundles = [Tile(-1, tile.index, tile.width) for tile in tiles if tile.level == 0]
    missing = [t for t in tiles + bundles if not (t.full and (out / t.path()).exists())]
    for tile, data in _tile_data(TileReader(store), missing):
        _write(out / tile.path(), data)
    _write(out / "verifier-key", (vkey + "\n").encode())
    _write(out / "checkpoint", checkpoint.encode())
    return Published(size, len(missing), len(tiles) + len(bundles) - len(missing))


def _tile_data(reader: TileReader, tiles: list[Tile]) -> Iterator[tuple[Tile, bytes]]:
    """Each tile's bytes, reading each level's hashes in large ranges, not tile by tile."""
    by_level: dict[int, list[Tile]] = {}
    for tile in tiles:
        by_level.setdefault(tile.level, []).append(tile)
    for level, group in sorted(by_level.items()):
        group.sort(key=lambda t: t.index)
        for start in range(0, len(group), CHUNK // WIDTH):
            batch = group[start : start + CHUNK // WIDTH]
            first, stop = batch[0].index * WIDTH, batch[-1].index * WIDTH + batch[-1].width
            parts = _parts(reader, level, first, stop)
            if len(parts) != stop - first:
                raise LookupError(f"the log holds no tile level {level} hashes [{first}, {stop})")
            for tile in batch:
                at = tile.index * WIDTH - first
                yield tile, b"".join(parts[at : at + tile.width])


def _parts(reader: TileReader, level: int, start: int, stop: int) -> list[bytes]:
    """Tile level ``level``'s hashes ``[start, stop)``; level -1 gives framed entries."""
    if level > 0:
        rows = reader.rows(
            f"SELECT hash FROM {NODES} WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
            (HEIGHT * level, start, stop),
        )
        return [bytes(row[0]) for row in rows]
    if level == 0:
        rows = reader.rows(
            f"SELECT leaf_hash FROM {LEAVES} WHERE leaf_index >= ? AND leaf_index < ? "
            "ORDER BY leaf_index",
            (start, stop),
        )
        return [bytes(row[0]) for row in rows]
    rows = reader.rows(
        f"SELECT leaf_index, notification_id, appeal_id, version, topic, state_sha256 "
        f"FROM {LEAVES} WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index",
        (start, stop),
    )
    # Exactly ``encode_leaf`` (``tiles.entry``), without a Leaf object per row.
    entries = [
        LEAF_TAG + _INDEX(index) + event_head(nid, str(app), version, str(topic)) + bytes(sha)
        for index, nid, app, version, topic, sha in rows
    ]
    return [_LENGTH(len(entry)) + entry for entry in entries]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
