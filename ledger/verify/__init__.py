"""Offline verifier of Appeals Ledger audit bundles: imports only the stdlib and cryptography.

Copy this directory anywhere and run ``python -m ledger.verify [--public-key FILE] bundle.json``.

Hashing is RFC 6962/9162: leaf = SHA-256(0x00‖data), node = SHA-256(0x01‖left‖right).

Leaf encoding (``encode_leaf``), integers unsigned big-endian and strings UTF-8::

    b"appeals-ledger/leaf/1\\n" ‖ u64 leaf_index ‖ u64 notification_id
    ‖ u32 len(appeal_id) ‖ appeal_id ‖ u64 version ‖ u32 len(topic) ‖ topic
    ‖ SHA-256(stored state bytes) (32)

Checkpoint: a C2SP signed note whose body is a ``tlog-checkpoint`` of three lines (checkpoints
signed before the witnesses came have a fourth, the signing time, and still verify)::

    <origin>\\n<tree size, decimal>\\n<base64 root>\\n[<YYYY-MM-DDTHH:MM:SSZ>\\n]
    \\n
    — <key name> <base64(key id (4) ‖ Ed25519 signature of the body (64))>\\n

where key id = SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ raw 32-byte public key)[:4]. The log's
verifier key in note form (``/ledger/verifier-key``, ``vkey``) is
``<key name>+<hex key id>+<base64(0x01 ‖ key)>``. A served checkpoint may carry witnesses'
``tlog-cosignature`` lines after the log's own (``cosignature``); tiles follow ``tlog-tiles``
(``tiles``).

Every hash and key is spelled in standard padded base64, as the C2SP formats spell them.
Bundle: a JSON object with exactly these keys::

    {"format": "appeals-ledger-audit-bundle/2", "appeal_id": str, "key_name": str,
     "public_key": base64 (32 raw bytes), "checkpoint": signed note text,
     "events": [{"leaf_index": int, "notification_id": int, "appeal_id": str,
                 "version": int, "topic": str, "state": base64 stored bytes,
                 "leaf_hash": base64, "inclusion_proof": [base64, ...]}, ...]}

Format ``appeals-ledger-audit-bundle/1`` is the same with ``leaf_hash`` and the proof in
lowercase hex; it is still read. Events are listed by version 1..n without gaps, with
increasing leaf indices. The file must be exactly ``encode_bundle(bundle)`` (canonical JSON:
sorted keys, compact, ASCII, one newline) and every encoding canonical, so that changing any
byte, even whitespace, fails.

The bundle carries its public key, so a forger can carry theirs: only a key pinned with
``--public-key`` (the PEM the log serves at ``/ledger/public-key``) proves the log signed it.
Without a pin the result line says so and prints the key's ``fingerprint``.
"""

from __future__ import annotations

from ledger.verify.bundle import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_HEX,
    BundleReport,
    encode_bundle,
    verify_bundle,
    verify_bundle_bytes,
)
from ledger.verify.cli import main
from ledger.verify.encoding import VerificationError, b64, fingerprint, load_public_key_pem
from ledger.verify.note import (
    TIME_FORMAT,
    Checkpoint,
    format_checkpoint_body,
    key_id,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from ledger.verify.tree import (
    EMPTY_ROOT,
    LEAF_TAG,
    encode_leaf,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_HEX",
    "EMPTY_ROOT",
    "LEAF_TAG",
    "TIME_FORMAT",
    "BundleReport",
    "Checkpoint",
    "VerificationError",
    "b64",
    "encode_bundle",
    "encode_leaf",
    "fingerprint",
    "format_checkpoint_body",
    "key_id",
    "leaf_hash",
    "load_public_key_pem",
    "main",
    "node_hash",
    "parse_checkpoint",
    "sign_checkpoint",
    "verify_bundle",
    "verify_bundle_bytes",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
