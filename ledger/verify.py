"""Offline verifier of Appeals Ledger audit bundles: imports only the stdlib and cryptography.

Hashing is RFC 6962/9162: leaf = SHA-256(0x00‖data), node = SHA-256(0x01‖left‖right).

Leaf encoding (``encode_leaf``), integers unsigned big-endian and strings UTF-8::

    b"appeals-ledger/leaf/1\\n" ‖ u64 leaf_index ‖ u64 notification_id
    ‖ u32 len(appeal_id) ‖ appeal_id ‖ u64 version ‖ u32 len(topic) ‖ topic
    ‖ SHA-256(stored state bytes) (32)

Checkpoint: a C2SP signed note with exactly four body lines and exactly one signature::

    <origin>\\n<tree size, decimal>\\n<base64 root>\\n<YYYY-MM-DDTHH:MM:SSZ>\\n
    \\n
    — <key name> <base64(key id (4) ‖ Ed25519 signature of the body (64))>\\n

where key id = SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ raw 32-byte public key)[:4].

Bundle: a JSON object with exactly these keys (base64 standard and padded, hex lowercase)::

    {"format": "appeals-ledger-audit-bundle/1", "appeal_id": str, "key_name": str,
     "public_key": base64 (32 raw bytes), "checkpoint": signed note text,
     "events": [{"leaf_index": int, "notification_id": int, "appeal_id": str,
                 "version": int, "topic": str, "state": base64 stored bytes,
                 "leaf_hash": hex, "inclusion_proof": [hex, ...]}, ...]}

Events are listed by version 1..n without gaps, with increasing leaf indices. The file
must be exactly ``encode_bundle(bundle)`` (canonical JSON: sorted keys, compact, ASCII, one
newline) and base64/hex canonical, so that changing any byte, even whitespace, fails.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import struct
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

BUNDLE_FORMAT = "appeals-ledger-audit-bundle/1"
LEAF_TAG = b"appeals-ledger/leaf/1\n"
EMPTY_ROOT = hashlib.sha256(b"").digest()
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_BUNDLE_TYPES = {
    "format": str,
    "appeal_id": str,
    "public_key": str,
    "key_name": str,
    "checkpoint": str,
    "events": list,
}
_EVENT_TYPES = {
    "leaf_index": int,
    "notification_id": int,
    "appeal_id": str,
    "version": int,
    "topic": str,
    "state": str,
    "leaf_hash": str,
    "inclusion_proof": list,
}
_HEX = re.compile(r"[0-9a-f]{64}")
_KEY_NAME = re.compile(r"[!-*,-~]+")  # printable ASCII without space and "+"
_DASH = "\u2014 "


class VerificationError(Exception):
    """Verification failed: ``reason`` is a stable code; event failures name the event."""

    def __init__(
        self,
        *,
        reason: str,
        version: int | None = None,
        leaf_index: int | None = None,
        detail: str = "",
    ) -> None:
        self.reason, self.version, self.leaf_index = reason, version, leaf_index
        where = "" if version is None else f" at event version {version} leaf {leaf_index}"
        super().__init__(f"{reason}{where}" + (f": {detail}" if detail else ""))


@dataclass(frozen=True)
class Checkpoint:
    """A parsed signed checkpoint."""

    origin: str
    size: int
    root: bytes
    time: datetime
    key_name: str
    key_id: bytes
    signature: bytes
    body: str


@dataclass(frozen=True)
class BundleReport:
    """What a verified bundle proves: these leaves are in this signed tree."""

    appeal_id: str
    checkpoint: Checkpoint
    leaf_indices: tuple[int, ...]


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def encode_leaf(
    index: int, notification_id: int, appeal_id: str, version: int, topic: str, state_sha256: bytes
) -> bytes:
    """Encode a leaf as the module docstring says; length prefixes make it unambiguous."""
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


def key_id(key_name: str, public_key: ed25519.Ed25519PublicKey) -> bytes:
    """Return the signed-note key id: SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)[:4]."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(key_name.encode() + b"\n\x01" + raw).digest()[:4]


def format_checkpoint_body(origin: str, size: int, root: bytes, time: datetime) -> str:
    """Return the four-line checkpoint body; ``time`` must be timezone-aware."""
    if not origin or "\n" in origin or size < 0 or len(root) != 32 or time.tzinfo is None:
        raise ValueError("invalid checkpoint field")
    stamp = time.astimezone(UTC).strftime(TIME_FORMAT)
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n{stamp}\n"


def sign_checkpoint(body: str, key_name: str, private_key: ed25519.Ed25519PrivateKey) -> str:
    """Sign a checkpoint body and return the full signed note."""
    if not _KEY_NAME.fullmatch(key_name):
        raise ValueError("key name must be printable ASCII without spaces or '+'")
    blob = key_id(key_name, private_key.public_key()) + private_key.sign(body.encode())
    return f"{body}\n{_DASH}{key_name} {base64.b64encode(blob).decode()}\n"


def _b64(text: str, reason: str, length: int | None = None) -> bytes:
    # Canonical spellings only: base64 can hide a flipped bit in unused trailing bits.
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error is a ValueError
        raise VerificationError(reason=reason, detail="not base64") from None
    if base64.b64encode(raw).decode() != text or length not in (None, len(raw)):
        raise VerificationError(reason=reason, detail="not canonical base64 of that length")
    return raw


def parse_checkpoint(note: str) -> Checkpoint:
    """Parse a signed checkpoint strictly: canonical fields and exactly one signature."""
    body, _, sigs = note.partition("\n\n")
    lines, parts, body = body.split("\n"), sigs[:-1].split(" "), body + "\n"
    if (
        len(lines) != 4
        or not sigs.endswith("\n")
        or "\n" in sigs[:-1]
        or not sigs.startswith(_DASH)
        or len(parts) != 3
    ):
        raise VerificationError(reason="checkpoint-malformed", detail="layout")
    origin, size, root, stamp = lines
    try:  # round trips reject every non-canonical spelling of size and time
        time = datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)
        canonical = str(int(size)) == size and time.strftime(TIME_FORMAT) == stamp
        body.encode()
    except (ValueError, UnicodeEncodeError):
        canonical = False
    if not (canonical and origin and _KEY_NAME.fullmatch(parts[1])):
        raise VerificationError(reason="checkpoint-malformed", detail="field")
    blob = _b64(parts[2], "checkpoint-malformed", 68)
    return Checkpoint(
        origin,
        int(size),
        _b64(root, "checkpoint-malformed", 32),
        time,
        parts[1],
        blob[:4],
        blob[4:],
        body,
    )


def verify_checkpoint(note: str, public_key: ed25519.Ed25519PublicKey, key_name: str) -> Checkpoint:
    """Parse a checkpoint and check its key name, key id and Ed25519 signature."""
    cp = parse_checkpoint(note)
    if cp.key_name != key_name or cp.key_id != key_id(key_name, public_key):
        raise VerificationError(reason="checkpoint-key-unknown", detail=cp.key_name)
    try:
        public_key.verify(cp.signature, cp.body.encode())
    except InvalidSignature:
        raise VerificationError(reason="checkpoint-signature-invalid") from None
    return cp


def encode_bundle(bundle: dict[str, Any]) -> bytes:
    """Return the only accepted bytes of a bundle file: canonical JSON and a newline."""
    text = json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("ascii") + b"\n"


def _shape(obj: Any, types: dict[str, Any], reason: str, **where: Any) -> dict[str, Any]:
    if (
        not isinstance(obj, dict)
        or obj.keys() != types.keys()
        or any(type(obj[key]) is not kind for key, kind in types.items())
    ):
        raise VerificationError(reason=reason, detail="keys or value types", **where)
    return obj


def _hex32(text: Any, **where: Any) -> bytes:
    if type(text) is not str or not _HEX.fullmatch(text):
        raise VerificationError(reason="event-malformed", detail="hash is not hex", **where)
    return bytes.fromhex(text)


def _verify_event(item: Any, position: int, appeal_id: str, cp: Checkpoint, previous: int) -> int:
    event = _shape(item, _EVENT_TYPES, "event-malformed", version=position)
    index, version = event["leaf_index"], event["version"]
    where = {"version": version, "leaf_index": index}
    if version != position:
        raise VerificationError(reason="version-gap", detail=f"expected {position}", **where)
    if event["appeal_id"] != appeal_id:
        raise VerificationError(reason="appeal-id-mismatch", **where)
    if not previous < index < cp.size:
        reason = "leaf-index-beyond-checkpoint" if index >= cp.size else "leaf-index-order"
        raise VerificationError(reason=reason, **where)
    state_sha256 = hashlib.sha256(_b64(event["state"], "event-malformed")).digest()
    try:
        data = encode_leaf(
            index, event["notification_id"], appeal_id, version, event["topic"], state_sha256
        )
    except (ValueError, UnicodeEncodeError):
        raise VerificationError(reason="event-malformed", detail="leaf", **where) from None
    stated = _hex32(event["leaf_hash"], **where)
    if not hmac.compare_digest(leaf_hash(data), stated):
        raise VerificationError(reason="leaf-hash-mismatch", **where)
    proof = [_hex32(node, **where) for node in event["inclusion_proof"]]
    if not verify_inclusion(stated, index, cp.size, proof, cp.root):
        raise VerificationError(reason="inclusion-proof-invalid", **where)
    return int(index)


def verify_bundle(bundle: dict[str, Any]) -> BundleReport:
    """Verify a parsed bundle: signature, every leaf and inclusion proof, versions 1..n."""
    if _shape(bundle, _BUNDLE_TYPES, "bundle-malformed")["format"] != BUNDLE_FORMAT:
        raise VerificationError(reason="bundle-format-unknown")
    raw_key = _b64(bundle["public_key"], "bundle-malformed", 32)  # any 32 bytes load
    public_key = ed25519.Ed25519PublicKey.from_public_bytes(raw_key)
    cp = verify_checkpoint(bundle["checkpoint"], public_key, bundle["key_name"])
    if not bundle["events"]:
        raise VerificationError(reason="bundle-has-no-events")  # it would prove nothing
    indices = [-1]
    for position, event in enumerate(bundle["events"], start=1):
        indices.append(_verify_event(event, position, bundle["appeal_id"], cp, indices[-1]))
    return BundleReport(bundle["appeal_id"], cp, tuple(indices[1:]))


def verify_bundle_bytes(data: bytes) -> BundleReport:
    """Verify a bundle file's bytes, which must equal ``encode_bundle`` of their content."""
    try:
        bundle = json.loads(data.decode("ascii"))
    except (ValueError, RecursionError):  # includes UnicodeDecodeError
        raise VerificationError(reason="bundle-not-json") from None
    if not isinstance(bundle, dict) or encode_bundle(bundle) != data:
        raise VerificationError(reason="bundle-not-canonical")
    return verify_bundle(bundle)


def main(argv: list[str] | None = None) -> int:
    """Run the command line: exit 0 and print OK, or exit 1 with a one-line reason."""
    parser = argparse.ArgumentParser(
        prog="python -m ledger.verify",
        description="Verify an Appeals Ledger audit bundle offline (signed checkpoint, leaf "
        "hashes, inclusion proofs, versions 1..n): exit 0 if it verifies, else 1 and why.",
    )
    parser.add_argument("bundle", help="path of the bundle JSON file")
    args = parser.parse_args(argv)
    try:
        with open(args.bundle, "rb") as handle:
            report = verify_bundle_bytes(handle.read())
    except (OSError, VerificationError) as exc:
        reason = f"cannot read bundle: {exc.strerror}" if isinstance(exc, OSError) else exc
        print(f"FAIL: {reason}", file=sys.stderr)
        return 1
    cp = report.checkpoint
    print(
        f"OK: appeal {report.appeal_id}: {len(report.leaf_indices)} events in {cp.origin} "
        f"tree size {cp.size} root {cp.root.hex()} at {cp.time.strftime(TIME_FORMAT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
