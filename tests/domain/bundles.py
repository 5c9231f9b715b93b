"""A small genuine audit bundle, built in the test, and the verifier's command line to run on it."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from audit.merkle import MemoryNodeStore, TreeBuilder, inclusion_proof, root
from ledger.verify import (
    BUNDLE_FORMAT,
    VerificationError,
    b64,
    encode_bundle,
    encode_leaf,
    format_checkpoint_body,
    leaf_hash,
    sign_checkpoint,
    verify_bundle_bytes,
)

REPO = Path(__file__).resolve().parents[2]
APPEAL = "appeal-7"
KEY_NAME = "appeals.example/log"
TOPIC = "ledger.domain:Appeal.Received"
TIME = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)
# (appeal id, version) of every leaf in the log; APPEAL's events are interleaved.
LOG = [
    ("appeal-1", 1),
    ("appeal-2", 1),
    (APPEAL, 1),
    ("appeal-1", 2),
    ("appeal-3", 1),
    (APPEAL, 2),
    ("appeal-2", 2),
    ("appeal-3", 2),
    ("appeal-1", 3),
    (APPEAL, 3),
    ("appeal-4", 1),
    ("appeal-4", 2),
]


def key(seed: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


def state(appeal_id: str, version: int) -> bytes:
    return json.dumps({"appeal": appeal_id, "version": version, "text": "Яма во дворе"}).encode()


def leaf(index: int) -> bytes:
    appeal_id, version = LOG[index]
    digest = hashlib.sha256(state(appeal_id, version)).digest()
    return encode_leaf(index, 100 + 3 * index, appeal_id, version, TOPIC, digest)


def make_bundle(signer: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    signer = signer or key(1)
    store = MemoryNodeStore(TreeBuilder().extend(leaf_hash(leaf(i)) for i in range(len(LOG))))
    size = len(LOG)
    body = format_checkpoint_body(KEY_NAME, size, root(size, store), TIME)
    public = signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "format": BUNDLE_FORMAT,
        "appeal_id": APPEAL,
        "public_key": base64.b64encode(public).decode(),
        "key_name": KEY_NAME,
        "checkpoint": sign_checkpoint(body, KEY_NAME, signer),
        "events": [
            {
                "leaf_index": i,
                "notification_id": 100 + 3 * i,
                "appeal_id": APPEAL,
                "version": version,
                "topic": TOPIC,
                "state": base64.b64encode(state(APPEAL, version)).decode(),
                "leaf_hash": b64(leaf_hash(leaf(i))),
                "inclusion_proof": [b64(h) for h in inclusion_proof(i, size, store)],
            }
            for i, (appeal_id, version) in enumerate(LOG)
            if appeal_id == APPEAL
        ],
    }


def reason_for(bundle: dict[str, Any]) -> tuple[str, int | None]:
    with pytest.raises(VerificationError) as failure:
        verify_bundle_bytes(encode_bundle(bundle))
    return failure.value.reason, failure.value.version


def run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledger.verify", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
