"""``appeals audit publish --out DIR``: the log as static files any web server can serve.

Writes ``DIR/checkpoint`` (the latest signed checkpoint with its cosignatures),
``DIR/verifier-key`` and every tile and entry bundle of that checkpoint's tree under
``DIR/tile/``, laid out exactly as ``tlog-tiles`` names them. Full tiles never change, so
a full tile already in ``DIR`` is kept as it is; the checkpoint is written last, each file
through a temporary name and a rename, so a reader never sees a checkpoint whose tiles are
missing or a half-written file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from api.tlog.tiles import entry
from ledger.verify.tiles import HEIGHT, WIDTH, Tile, encode_bundle_entries, tiles_for_size
from projections.audit import AuditStore
from projections.audit.store import Snapshot

CHUNK = WIDTH * 64
"""Hashes read per query while publishing."""


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
    wanted = {tile.path(): tile for tile in tiles + bundles}
    missing = [tile for path, tile in wanted.items() if not (tile.full and (out / path).exists())]
    with store.snapshot() as snapshot:
        for tile, data in _tile_data(snapshot, missing):
            _write(out / tile.path(), data)
    _write(out / "verifier-key", (vkey + "\n").encode())
    _write(out / "checkpoint", checkpoint.encode())
    return Published(size, len(missing), len(wanted) - len(missing))


def _tile_data(snapshot: Snapshot, tiles: list[Tile]) -> Iterator[tuple[Tile, bytes]]:
    """Each tile's bytes, reading each level's hashes in large ranges, not tile by tile."""
    by_level: dict[int, list[Tile]] = {}
    for tile in tiles:
        by_level.setdefault(tile.level, []).append(tile)
    for level, group in sorted(by_level.items()):
        group.sort(key=lambda t: t.index)
        for start in range(0, len(group), CHUNK // WIDTH):
            batch = group[start : start + CHUNK // WIDTH]
            first, stop = batch[0].index * WIDTH, batch[-1].index * WIDTH + batch[-1].width
            hashes = _hashes(snapshot, level, first, stop)
            if len(hashes) != stop - first:
                raise LookupError(f"the log holds no tile level {level} hashes [{first}, {stop})")
            for tile in batch:
                at = tile.index * WIDTH - first
                yield tile, b"".join(hashes[at : at + tile.width])


def _hashes(snapshot: Snapshot, level: int, start: int, stop: int) -> list[bytes]:
    """Tile level ``level``'s hashes ``[start, stop)``; level -1 gives entries instead."""
    if level <= 0:
        leaves = snapshot.leaves_between(start, stop)
        if level < 0:
            return [encode_bundle_entries([entry(leaf)]) for leaf in leaves]
        return [leaf.hash for leaf in leaves]
    return [digest for _, digest in snapshot.nodes_between(HEIGHT * level, start, stop)]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
