"""Check a whole tiled log as a monitor would, with no bundle and no trust in its server.

Reads ``checkpoint`` (log signature and the witness policy), every entry bundle and every
tile of the checkpoint's tree; checks that each entry is a well-formed leaf at its index and
hashes to its level-0 tile hash, that every higher tile holds the hashes of the full tiles
below, and that the leaves give the signed root. An appeal's events, found in the entries,
get inclusion proofs computed from those hashes and checked against the root.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ledger.verify.cosignature import cosigned_by, open_checkpoint
from ledger.verify.encoding import VerificationError
from ledger.verify.proofs import Levels
from ledger.verify.source import TileSource
from ledger.verify.tiles import WIDTH, Tile, decode_bundle_entries, tiles_for_size
from ledger.verify.tree import LEAF_TAG, leaf_hash, verify_inclusion
from ledger.verify.vkey import VerifierKey


@dataclass(frozen=True)
class LogEvent:
    """One leaf of the log, decoded from its entry."""

    leaf_index: int
    notification_id: int
    appeal_id: str
    version: int
    topic: str


@dataclass
class LogReport:
    """What the monitor checked."""

    origin: str
    size: int
    root: bytes
    witnesses: dict[str, int]
    tiles: int
    appeal_events: list[LogEvent] = field(default_factory=list)


def verify_log(
    source: TileSource,
    log: VerifierKey,
    witnesses: list[VerifierKey],
    quorum: int,
    appeal_id: str | None = None,
) -> LogReport:
    """Check the log behind ``source``; raise ``VerificationError`` at the first failure."""
    checkpoint = open_checkpoint(source.get("checkpoint").decode("utf-8", "replace"), log)
    if checkpoint.origin != log.name:
        raise VerificationError(reason="checkpoint-origin-unknown", detail=checkpoint.origin)
    seen = cosigned_by(checkpoint.body, checkpoint.lines, witnesses)
    if len(seen) < quorum:
        raise VerificationError(
            reason="cosignature-quorum-not-met",
            detail=f"{len(seen)} of the {quorum} witnesses needed",
        )
    if checkpoint.size == 0:
        raise VerificationError(reason="checkpoint-empty")
    levels, events, tiles = _read(source, checkpoint.size)
    if levels.root(checkpoint.size) != checkpoint.root:
        raise VerificationError(
            reason="checkpoint-root-mismatch", detail="the tiles do not give the signed root"
        )
    report = LogReport(checkpoint.origin, checkpoint.size, checkpoint.root, seen, tiles)
    for event in events:
        if event.appeal_id != appeal_id:
            continue
        proof = levels.inclusion_proof(event.leaf_index, checkpoint.size)
        if not verify_inclusion(
            levels.leaf(event.leaf_index), event.leaf_index, checkpoint.size, proof, checkpoint.root
        ):
            raise VerificationError(
                reason="inclusion-proof-invalid", leaf_index=event.leaf_index, version=event.version
            )
        report.appeal_events.append(event)
    return report


def _read(source: TileSource, size: int) -> tuple[Levels, list[LogEvent], int]:
    leaves: list[bytes] = []
    events: list[LogEvent] = []
    all_tiles = tiles_for_size(size)
    for tile in (t for t in all_tiles if t.level == 0):
        hashes = _hashes(source, tile)
        entries = decode_bundle_entries(source.get(Tile(-1, tile.index, tile.width).path()))
        if len(entries) != tile.width:
            raise VerificationError(reason="entries-malformed", detail=tile.path())
        for offset, (entry, stated) in enumerate(zip(entries, hashes, strict=True)):
            index = tile.index * WIDTH + offset
            if leaf_hash(entry) != stated:
                raise VerificationError(reason="entry-hash-mismatch", leaf_index=index)
            events.append(_decode(entry, index))
            leaves.append(stated)
    levels = Levels(leaves)
    for tile in (t for t in all_tiles if t.level > 0):
        first = tile.index * WIDTH
        expected = [levels.subtree(8 * tile.level, i) for i in range(first, first + tile.width)]
        if _hashes(source, tile) != expected:
            raise VerificationError(reason="tile-mismatch", detail=tile.path())
    return levels, events, len(all_tiles) + sum(1 for tile in all_tiles if tile.level == 0)


def _hashes(source: TileSource, tile: Tile) -> list[bytes]:
    data = source.get(tile.path())
    if len(data) != 32 * tile.width:
        raise VerificationError(reason="tile-malformed", detail=tile.path())
    return [data[i : i + 32] for i in range(0, len(data), 32)]


def _decode(entry: bytes, index: int) -> LogEvent:
    """Read a leaf's fields back (``encode_leaf``'s layout); the index must be its own."""
    try:
        if not entry.startswith(LEAF_TAG):
            raise ValueError("tag")
        at = len(LEAF_TAG)
        stated, nid, length = struct.unpack_from(">QQI", entry, at)
        at += 20
        appeal = entry[at : at + length].decode()
        version, topic_length = struct.unpack_from(">QI", entry, at + length)
        at += length + 12
        topic = entry[at : at + topic_length].decode()
        if stated != index or len(entry) != at + topic_length + 32:
            raise ValueError("layout")
    except (ValueError, struct.error):
        raise VerificationError(reason="entry-malformed", leaf_index=index) from None
    return LogEvent(index, nid, appeal, version, topic)
