"""Audit bundles: their canonical bytes, and the check of every leaf against a signed tree."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.verify.encoding import VerificationError, fingerprint, from_b64, from_hex
from ledger.verify.note import Checkpoint, verify_checkpoint
from ledger.verify.tree import encode_leaf, leaf_hash, verify_inclusion

BUNDLE_FORMAT = "appeals-ledger-audit-bundle/2"
"""Hashes in base64. Format 1 (hashes in hex) is still read, never written."""
BUNDLE_FORMAT_HEX = "appeals-ledger-audit-bundle/1"
_HASH_DECODERS: dict[str, Callable[[str, str], bytes]] = {
    BUNDLE_FORMAT: lambda text, reason: from_b64(text, reason, 32),
    BUNDLE_FORMAT_HEX: from_hex,
}
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


@dataclass(frozen=True)
class BundleReport:
    """What a verified bundle proves: these leaves are in this tree, signed by this key."""

    appeal_id: str
    checkpoint: Checkpoint
    leaf_indices: tuple[int, ...]
    key_fingerprint: str
    pinned: bool


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


def _hash(decode: Callable[[str, str], bytes], text: Any, **where: Any) -> bytes:
    if type(text) is not str:
        raise VerificationError(reason="event-malformed", detail="hash is not a string", **where)
    try:
        return decode(text, "event-malformed")
    except VerificationError as error:
        raise VerificationError(reason=error.reason, detail="hash", **where) from None


def _verify_event(
    item: Any, position: int, appeal_id: str, cp: Checkpoint, previous: int, hash_format: str
) -> int:
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
    state_sha256 = hashlib.sha256(from_b64(event["state"], "event-malformed")).digest()
    try:
        data = encode_leaf(
            index, event["notification_id"], appeal_id, version, event["topic"], state_sha256
        )
    except (ValueError, UnicodeEncodeError):
        raise VerificationError(reason="event-malformed", detail="leaf", **where) from None
    decode = _HASH_DECODERS[hash_format]
    stated = _hash(decode, event["leaf_hash"], **where)
    if not hmac.compare_digest(leaf_hash(data), stated):
        raise VerificationError(reason="leaf-hash-mismatch", **where)
    proof = [_hash(decode, node, **where) for node in event["inclusion_proof"]]
    if not verify_inclusion(stated, index, cp.size, proof, cp.root):
        raise VerificationError(reason="inclusion-proof-invalid", **where)
    return int(index)


def verify_bundle(
    bundle: dict[str, Any], pinned: ed25519.Ed25519PublicKey | None = None
) -> BundleReport:
    """Verify a parsed bundle: key, signature, every leaf and inclusion proof, versions 1..n.

    A bundle carries its own public key, so anyone can sign one. Only a ``pinned`` key, got
    from the log's operator, makes the signature mean the log signed it.
    """
    if _shape(bundle, _BUNDLE_TYPES, "bundle-malformed")["format"] not in _HASH_DECODERS:
        raise VerificationError(reason="bundle-format-unknown")
    raw_key = from_b64(bundle["public_key"], "bundle-malformed", 32)  # any 32 bytes load
    public_key = ed25519.Ed25519PublicKey.from_public_bytes(raw_key)
    if pinned is not None and not hmac.compare_digest(
        raw_key, pinned.public_bytes(Encoding.Raw, PublicFormat.Raw)
    ):
        raise VerificationError(
            reason="key-mismatch",
            detail=(
                f"the bundle is signed by key {fingerprint(public_key)}, "
                f"not by the pinned key {fingerprint(pinned)}"
            ),
        )
    cp = verify_checkpoint(bundle["checkpoint"], public_key, bundle["key_name"])
    if not bundle["events"]:
        raise VerificationError(reason="bundle-has-no-events")  # it would prove nothing
    indices = [-1]
    for position, event in enumerate(bundle["events"], start=1):
        indices.append(
            _verify_event(event, position, bundle["appeal_id"], cp, indices[-1], bundle["format"])
        )
    return BundleReport(
        bundle["appeal_id"], cp, tuple(indices[1:]), fingerprint(public_key), pinned is not None
    )


def verify_bundle_bytes(
    data: bytes, pinned: ed25519.Ed25519PublicKey | None = None
) -> BundleReport:
    """Verify a bundle file's bytes, which must equal ``encode_bundle`` of their content."""
    try:
        bundle = json.loads(data.decode("ascii"))
    except (ValueError, RecursionError):  # includes UnicodeDecodeError
        raise VerificationError(reason="bundle-not-json") from None
    if not isinstance(bundle, dict) or encode_bundle(bundle) != data:
        raise VerificationError(reason="bundle-not-canonical")
    return verify_bundle(bundle, pinned)
