"""An auditor pins the log's published key: a bundle forged with another key fails offline."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

from audit.merkle import MemoryNodeStore, TreeBuilder, inclusion_proof, root
from ledger.verify import (
    encode_bundle,
    encode_leaf,
    format_checkpoint_body,
    leaf_hash,
    parse_checkpoint,
    sign_checkpoint,
)
from tests.api.command_line import appeals, demo, run_module
from tests.api.conftest import start_server, stop_server
from tests.migration.lines import stored_events

ANSWERED = "appeals:Appeal.Answered"


def _an_answered_appeal(url: str) -> str:
    return next(appeal for appeal, _, topic in stored_events(url) if topic == ANSWERED)


def _forge(genuine: dict[str, Any]) -> dict[str, Any]:
    """Change an answer's text, rebuild the tree around the bundle's leaves, sign anew."""
    forged: dict[str, Any] = json.loads(json.dumps(genuine))
    checkpoint = parse_checkpoint(forged["checkpoint"])
    hashes = {}
    for event in forged["events"]:
        state = base64.b64decode(event["state"])
        if event["topic"] == ANSWERED:
            answer = json.loads(state)
            answer["text"] = "Ответ дан в срок, жалоба решена"
            state = json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()
            event["state"] = base64.b64encode(state).decode()
        data = encode_leaf(
            event["leaf_index"],
            event["notification_id"],
            event["appeal_id"],
            event["version"],
            event["topic"],
            hashlib.sha256(state).digest(),
        )
        hashes[event["leaf_index"]] = leaf_hash(data)
    fill = (
        hashes.get(i, hashlib.sha256(b"filler %d" % i).digest()) for i in range(checkpoint.size)
    )
    store = MemoryNodeStore(TreeBuilder().extend(fill))
    for event in forged["events"]:
        event["leaf_hash"] = base64.b64encode(hashes[event["leaf_index"]]).decode()
        event["inclusion_proof"] = [
            base64.b64encode(h).decode()
            for h in inclusion_proof(event["leaf_index"], checkpoint.size, store)
        ]
    signer = Ed25519PrivateKey.generate()
    body = format_checkpoint_body(
        checkpoint.origin, checkpoint.size, root(checkpoint.size, store), checkpoint.time
    )
    forged["checkpoint"] = sign_checkpoint(body, checkpoint.key_name, signer)
    raw = signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    forged["public_key"] = base64.b64encode(raw).decode()
    return forged


def _fingerprint_of_pem(pem: bytes) -> str:
    der = load_pem_public_key(pem).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode()


def test_a_bundle_forged_with_another_key_fails_against_the_published_key(
    store_url: str, tmp_path: Path
) -> None:
    keys = str(tmp_path / "keys")
    generated = appeals("keys", "generate", "--dir", keys, url=store_url)
    demo(store_url, count=12, seed=4, until="2026-01-10")
    appeals("checkpoint", "--keys-dir", keys, url=store_url)
    appeal_id = _an_answered_appeal(store_url)
    genuine, forged, pem = tmp_path / "real.json", tmp_path / "forged.json", tmp_path / "real.pem"
    exported = appeals(
        "audit",
        "export",
        appeal_id,
        "-o",
        str(genuine),
        "--keys-dir",
        keys,
        url=store_url,
    )
    server = start_server(store_url, tmp_path / "server.log", APPEALS_KEYS_DIR=keys)
    try:
        published = httpx.get(f"{server.url}/ledger/public-key", timeout=10)
    finally:
        stop_server(server)
    pem.write_bytes(published.content)
    forged.write_bytes(encode_bundle(_forge(json.loads(genuine.read_bytes()))))

    forged_pinned = run_module("ledger.verify", "--public-key", str(pem), str(forged))
    forged_unpinned = run_module("ledger.verify", str(forged))
    genuine_pinned = run_module("ledger.verify", "--public-key", str(pem), str(genuine))
    genuine_unpinned = run_module("ledger.verify", str(genuine))

    assert generated.returncode == 0, generated.stderr
    assert exported.returncode == 0, exported.stderr
    assert published.status_code == 200
    assert published.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    published_fingerprint = _fingerprint_of_pem(published.content)
    assert f"fingerprint {published_fingerprint}" in generated.stdout
    assert forged_pinned.returncode == 1
    assert forged_pinned.stdout == ""
    assert forged_pinned.stderr.startswith("FAIL: key-mismatch: the bundle is signed by key ")
    assert f"not by the pinned key {published_fingerprint}" in forged_pinned.stderr
    assert forged_unpinned.returncode == 0, forged_unpinned.stderr  # a well-made forgery
    assert "NOT PINNED" in forged_unpinned.stdout
    assert published_fingerprint not in forged_unpinned.stdout
    assert genuine_pinned.returncode == 0, genuine_pinned.stderr
    assert genuine_pinned.stdout.startswith(f"OK: appeal {appeal_id}: ")
    assert f"signed by the pinned key {published_fingerprint}" in genuine_pinned.stdout
    assert genuine_unpinned.returncode == 0, genuine_unpinned.stderr
    assert f"key NOT PINNED: {published_fingerprint} " in genuine_unpinned.stdout
    assert genuine_unpinned.stdout.count("\n") == 1
