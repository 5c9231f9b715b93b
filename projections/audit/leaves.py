"""A leaf of the audit log: one stored event, committed to by its gapless leaf index."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
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


LeafMaker = Callable[[int, int, str, int, str, bytes], Leaf]


def fast_leaf_maker() -> LeafMaker:
    """``make_leaf`` without argument checks, for the verifier's hot loop (tested equal)."""
    sha256, head, middle = hashlib.sha256, struct.Struct(">QQI").pack, struct.Struct(">QI").pack
    prefix = b"\x00" + LEAF_TAG

    def make(
        index: int, notification_id: int, appeal_id: str, version: int, topic: str, state: bytes
    ) -> Leaf:
        digest = sha256(state).digest()
        app, top = appeal_id.encode(), topic.encode()
        data = prefix + head(index, notification_id, len(app)) + app
        data += middle(version, len(top)) + top + digest
        return Leaf(index, notification_id, appeal_id, version, topic, digest,
                    sha256(data).digest())  # fmt: skip

    return make
