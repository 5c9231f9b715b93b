"""The offline verifier accepts a genuine audit bundle and rejects any change to it."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.verify import (
    BUNDLE_FORMAT_HEX,
    VerificationError,
    encode_bundle,
    encode_leaf,
    fingerprint,
    format_checkpoint_body,
    main,
    parse_checkpoint,
    sign_checkpoint,
    verify_bundle,
    verify_bundle_bytes,
    verify_checkpoint,
)
from tests.domain.bundles import (
    APPEAL,
    KEY_NAME,
    REPO,
    TIME,
    key,
    make_bundle,
    reason_for,
    run_cli,
    state,
)


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.json"
    path.write_bytes(encode_bundle(make_bundle()))
    return path


def test_a_genuine_bundle_verifies_from_the_command_line(bundle_file: Path) -> None:
    result = run_cli(bundle_file)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: appeal {APPEAL}: 3 events in {KEY_NAME} tree size 12")


def test_a_genuine_bundle_proves_its_events_are_in_the_signed_tree() -> None:
    bundle = make_bundle()

    report = verify_bundle(bundle)

    assert report.appeal_id == APPEAL
    assert report.leaf_indices == (2, 5, 9)
    assert (report.checkpoint.size, report.checkpoint.time) == (12, TIME)


def test_flipping_any_bit_of_any_byte_fails_verification(bundle_file: Path) -> None:
    data = bundle_file.read_bytes()
    survivors = []

    for position in range(len(data)):
        for bit in range(8):
            tampered = bytearray(data)
            tampered[position] ^= 1 << bit
            try:
                verify_bundle_bytes(bytes(tampered))
            except VerificationError:
                continue
            survivors.append((position, bit))

    assert survivors == []


def test_the_command_line_exits_1_with_one_line_for_every_flipped_byte(
    bundle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bundle_file.read_bytes()
    outcomes = set()

    for position in range(len(data)):
        tampered = bytearray(data)
        tampered[position] ^= 1 << (position % 8)
        bundle_file.write_bytes(bytes(tampered))
        code = main([str(bundle_file)])
        out, err = capsys.readouterr()
        outcomes.add((code, out, err.startswith("FAIL: ") and err.count("\n") == 1))

    assert {(code, out, one_line) for code, out, one_line in outcomes} == {(1, "", True)}


def test_a_flipped_byte_in_structure_fails_as_a_subprocess_without_traceback(
    bundle_file: Path,
) -> None:
    data = bundle_file.read_bytes()
    structural = [i for i, byte in enumerate(data) if chr(byte) in '{}[]:,"\n'][::9]
    positions = sorted({*structural, *range(0, len(data), len(data) // 12)})

    results = []
    for position in positions:
        tampered = bytearray(data)
        tampered[position] ^= 0x04
        bundle_file.write_bytes(bytes(tampered))
        results.append(run_cli(bundle_file))

    assert len(positions) >= 20
    assert {r.returncode for r in results} == {1}
    assert not any("Traceback" in r.stderr for r in results)
    assert all(r.stderr.startswith("FAIL: ") for r in results)


def test_a_tampered_checkpoint_signature_is_reported() -> None:
    bundle = make_bundle()
    note = parse_checkpoint(bundle["checkpoint"])
    forged = note.key_id + bytes([note.signature[0] ^ 1]) + note.signature[1:]
    bundle["checkpoint"] = f"{note.body}\n\u2014 {KEY_NAME} {base64.b64encode(forged).decode()}\n"

    result = reason_for(bundle)

    assert result == ("checkpoint-signature-invalid", None)


def test_a_checkpoint_signed_by_another_key_is_reported() -> None:
    bundle = make_bundle()
    bundle["checkpoint"] = make_bundle(signer=key(2))["checkpoint"]

    result = reason_for(bundle)

    assert result == ("checkpoint-key-unknown", None)


def test_a_missing_version_is_reported_as_a_gap_at_the_next_event() -> None:
    bundle = make_bundle()
    del bundle["events"][1]

    result = reason_for(bundle)

    assert result == ("version-gap", 3)


def test_changed_stored_state_is_reported_as_a_leaf_hash_mismatch() -> None:
    bundle = make_bundle()
    bundle["events"][1]["state"] = base64.b64encode(state(APPEAL, 99)).decode()

    result = reason_for(bundle)

    assert result == ("leaf-hash-mismatch", 2)


def test_a_leaf_not_in_the_signed_tree_is_reported_as_a_bad_inclusion_proof() -> None:
    bundle = make_bundle()
    bundle["events"][2]["inclusion_proof"] = bundle["events"][1]["inclusion_proof"]

    result = reason_for(bundle)

    assert result == ("inclusion-proof-invalid", 3)


def test_an_event_of_another_appeal_is_reported() -> None:
    bundle = make_bundle()
    bundle["events"][0]["appeal_id"] = "appeal-1"

    result = reason_for(bundle)

    assert result == ("appeal-id-mismatch", 1)


def test_a_reformatted_but_equivalent_file_is_refused() -> None:
    pretty = json.dumps(make_bundle(), indent=2, sort_keys=True).encode()

    with pytest.raises(VerificationError) as failure:
        verify_bundle_bytes(pretty)

    assert failure.value.reason == "bundle-not-canonical"


def test_a_checkpoint_round_trips_and_its_key_id_follows_the_signed_note_rule() -> None:
    signer, tree_root = key(3), bytes(range(32))
    raw = signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    body = format_checkpoint_body("origin.example", 7, tree_root, TIME)

    checkpoint = verify_checkpoint(sign_checkpoint(body, "k", signer), signer.public_key(), "k")

    encoded_root = base64.b64encode(tree_root).decode()
    assert body == f"origin.example\n7\n{encoded_root}\n2025-11-01T09:30:00Z\n"
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == ("origin.example", 7, tree_root)
    assert checkpoint.key_id == hashlib.sha256(b"k\n\x01" + raw).digest()[:4]


def test_leaf_encoding_is_unambiguous_across_field_boundaries() -> None:
    digest = bytes(32)

    encodings = {
        encode_leaf(1, 2, "ab", 3, "c", digest),
        encode_leaf(1, 2, "a", 3, "bc", digest),
        encode_leaf(1, 2, "ab", 3, "c", bytes([1]) + digest[1:]),
        encode_leaf(2, 1, "ab", 3, "c", digest),
    }

    assert len(encodings) == 4


def test_help_explains_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ledger.verify", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0
    assert "audit bundle" in result.stdout and "exit 0" in result.stdout


def test_a_bundle_of_format_1_with_hex_hashes_still_verifies() -> None:
    bundle = make_bundle()
    bundle["format"] = BUNDLE_FORMAT_HEX
    for event in bundle["events"]:
        event["leaf_hash"] = base64.b64decode(event["leaf_hash"]).hex()
        event["inclusion_proof"] = [base64.b64decode(h).hex() for h in event["inclusion_proof"]]

    report = verify_bundle_bytes(encode_bundle(bundle))

    assert report.leaf_indices == (2, 5, 9)


def test_a_bundle_signed_by_another_key_than_the_pinned_one_is_refused() -> None:
    bundle = make_bundle(signer=key(2))

    with pytest.raises(VerificationError) as failure:
        verify_bundle_bytes(encode_bundle(bundle), key(1).public_key())

    assert failure.value.reason == "key-mismatch"
    assert fingerprint(key(1).public_key()) in str(failure.value)
    assert fingerprint(key(2).public_key()) in str(failure.value)


def test_a_fingerprint_is_the_base64_sha256_of_the_der_public_key() -> None:
    public = key(1).public_key()
    der = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)

    printed = fingerprint(public)

    assert printed == "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode()
