"""RFC 6962/9162 hashing, the leaf encoding, and inclusion and consistency proof checks."""

from __future__ import annotations

import hashlib
import hmac
import struct

LEAF_TAG = b"appeals-ledger/leaf/1\n"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def encode_leaf(
    index: int, notification_id: int, appeal_id: str, version: int, topic: str, state_sha256: bytes
) -> bytes:
    """Encode a leaf as the package docstring says; length prefixes make it unambiguous."""
    if len(state_sha256) != 32 or not all(
        0 <= n < 2**64 for n in (index, notification_id, version)
    ):
        raise ValueError("integer out of u64 range or state_sha256 not 32 bytes")
    app, top = appeal_id.encode(), topic.encode()
    return (
        LEAF_TAG
        + struct.pack(">QQI", index, notification_id, len(app))
        + app
        + struct.pack(">QI", version, len(top))
        + top
        + state_sha256
    )


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: list[bytes], root: bytes
) -> bool:
    """Check an inclusion proof (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes
) -> bool:
    """Check a consistency proof (RFC 9162 §2.1.4.2); equal sizes or size1 0 need none."""
    if not 0 <= size1 <= size2:
        return False
    if size1 == size2 or size1 == 0:
        return not proof and hmac.compare_digest(root1, root2 if size1 else EMPTY_ROOT)
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    if not path:
        return False
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(fr, root1) and hmac.compare_digest(sr, root2)
