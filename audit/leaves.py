"""A leaf of the audit log: one stored event, committed to by its gapless leaf index."""

from __future__ import annotations

import hashlib
import struct
from itertools import repeat
from typing import NamedTuple

from ledger.verify import LEAF_TAG, encode_leaf, leaf_hash


class Leaf(NamedTuple):
    """One row of the leaves table: the event's identity, its stored bytes' hash, the leaf."""

    leaf_index: int
    notification_id: int
    appeal_id: str
    version: int
    topic: str
    state_sha256: bytes
    hash: bytes


def make_leaf(
    index: int, notification_id: int, appeal_id: str, version: int, topic: str, state: bytes
) -> Leaf:
    """Commit to a stored event exactly as ``ledger.verify.encode_leaf`` specifies."""
    digest = hashlib.sha256(state).digest()
    data = encode_leaf(index, notification_id, appeal_id, version, topic, digest)
    return Leaf(index, notification_id, appeal_id, version, topic, digest, leaf_hash(data))


EventHead = tuple[bytes, bytes]
"""A stored event as the verifier reads it: its ``event_head`` and its stored state bytes."""
PREIMAGE = b"\x00" + LEAF_TAG
"""What every leaf hash's input starts with: RFC 6962's 0x00, then our tag."""
_INDEX, _ID, _LENGTH = struct.Struct(">Q").pack, struct.Struct(">QI").pack, struct.Struct(">I").pack


def event_head(notification_id: int, appeal_id: str, version: int, topic: str) -> bytes:
    """The part of ``encode_leaf`` between the leaf index and the state digest."""
    app, top = appeal_id.encode(), topic.encode()
    return _ID(notification_id, len(app)) + app + _ID(version, len(top)) + top


def parse_head(head: bytes) -> tuple[int, str, int, str]:
    """(notification id, appeal id, version, topic) of an ``event_head``."""
    nid, size = struct.unpack_from(">QI", head)
    app_end = 12 + size
    version, top_size = struct.unpack_from(">QI", head, app_end)
    topic = head[app_end + 12 : app_end + 12 + top_size]
    return nid, head[12:app_end].decode(), version, topic.decode()


def hash_page(start: int, events: list[EventHead]) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """Leaf-hash inputs, state digests and leaf hashes of events at leaf indices from ``start``.

    Exactly ``leaf_hash(encode_leaf(...))`` (a test holds them equal), written as list
    comprehensions and ``map`` because the verifier runs it over every stored event.
    """
    sha256, count = hashlib.sha256, len(events)
    digests = [sha256(state).digest() for _, state in events]
    inputs = list(
        map(
            b"".join,
            zip(
                repeat(PREIMAGE, count),
                map(_INDEX, range(start, start + count)),
                [head for head, _ in events],
                digests,
                strict=True,
            ),
        )
    )
    return inputs, digests, [sha256(data).digest() for data in inputs]


def stored_leaf_bytes(leaves: list[Leaf]) -> tuple[bytes, bytes]:
    """Each stored leaf's hash input, concatenated; and each stored hash, concatenated."""
    parts = []
    for leaf in leaves:
        try:
            head = event_head(leaf.notification_id, leaf.appeal_id, leaf.version, leaf.topic)
            index = _INDEX(leaf.leaf_index)
        except struct.error:
            return b"!", b""  # a value no leaf can hold: it matches nothing
        parts.append(PREIMAGE + index + head + leaf.state_sha256)
    return b"".join(parts), b"".join(leaf.hash for leaf in leaves)
