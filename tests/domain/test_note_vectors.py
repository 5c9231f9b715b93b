"""Verifier keys, notes and cosignatures against the C2SP specs' and Go's own examples.

The Ed25519 vectors come from ``golang.org/x/mod/sumdb/note`` (the implementation the
``signed-note`` spec was written from): its private key signs the text to exactly its note,
and its verifier key verifies that note. The checkpoint, cosignature and witness-request
examples come from the ``tlog-checkpoint``, ``tlog-cosignature`` and ``tlog-witness`` specs,
whose keys are not published: those are checked for layout and the fields they carry.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.verify import (
    VerificationError,
    format_checkpoint_body,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from ledger.verify.cosignature import (
    cosign,
    cosignature_message,
    cosigned_by,
    split_note,
    verify_cosignature,
)
from ledger.verify.vkey import (
    COSIGNATURE,
    parse_signer_key,
    parse_verifier_key,
    signer_key,
    verifier_key,
)

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
    "gotpRZb6KE6RyyBwJnAM=\n"
)
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_LOG_LINE = (
    "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)
SPEC_WITNESS_LINE = (
    "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlr"
    "DJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)


def test_the_go_private_key_signs_the_go_text_to_exactly_the_go_note() -> None:
    vkey, private = parse_signer_key(GO_SKEY)

    note = sign_checkpoint(GO_TEXT, vkey.name, private)

    assert note == GO_TEXT + "\n" + GO_SIGNATURE
    assert vkey.text() == GO_VKEY
    assert signer_key(vkey.name, private) == GO_SKEY


def test_the_go_verifier_key_verifies_the_go_note_and_not_a_changed_one() -> None:
    vkey = parse_verifier_key(GO_VKEY)
    text, [line] = split_note(GO_TEXT + "\n" + GO_SIGNATURE)

    assert (line.name, line.key_id.hex()) == ("PeterNeumann", "c74f20a3")
    vkey.public_key().verify(line.signature, text.encode())
    with pytest.raises(InvalidSignature):
        vkey.public_key().verify(line.signature, text.replace("answer", "question").encode())


@pytest.mark.parametrize(
    "bad",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key id
        "PeterNeumann+c74f20a3+AhPc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # unknown type
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # not base64
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space in name
        "PeterNeumann+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # no key id
    ],
)
def test_a_wrong_verifier_key_is_refused(bad: str) -> None:
    with pytest.raises(VerificationError, match="key-unreadable"):
        parse_verifier_key(bad)


def test_our_checkpoint_verifies_with_the_verifier_key_we_publish() -> None:
    private = Ed25519PrivateKey.generate()
    vkey = verifier_key("ledger.example/appeals", private.public_key())
    note = sign_checkpoint(
        format_checkpoint_body("ledger.example/appeals", 3, b"\x07" * 32), vkey.name, private
    )

    parsed = parse_verifier_key(vkey.text())
    checkpoint = verify_checkpoint(note, parsed.public_key(), parsed.name)

    name, key_id, material = vkey.text().split("+", 2)
    assert (name, key_id) == ("ledger.example/appeals", checkpoint.key_id.hex())
    assert base64.b64decode(material)[:1] == b"\x01"
    assert (checkpoint.size, checkpoint.root, checkpoint.time) == (3, b"\x07" * 32, None)
    assert note.count("\n") == 5  # three body lines, the blank line, one signature


def test_the_spec_checkpoint_parses_to_its_fields() -> None:
    checkpoint = parse_checkpoint(SPEC_BODY + "\n" + SPEC_LOG_LINE)

    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert base64.b64encode(checkpoint.root).decode() == SPEC_BODY.split("\n")[2]
    assert checkpoint.time is None


def test_the_spec_cosignature_carries_the_spec_time_and_signs_the_spec_message() -> None:
    body, [log_line, witness_line] = split_note(
        SPEC_BODY + "\n" + SPEC_LOG_LINE + SPEC_WITNESS_LINE
    )

    timestamp = int.from_bytes(witness_line.signature[:8], "big")

    assert body == SPEC_BODY
    assert (log_line.name, witness_line.name) == (
        "example.com/behind-the-sofa",
        "witness.example.com/w1",
    )
    assert timestamp == 1679315147
    assert cosignature_message(body, timestamp).decode() == (
        "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )
    assert witness_line.text() == SPEC_WITNESS_LINE


def test_a_cosignature_verifies_with_the_witness_key_and_fails_on_another_body() -> None:
    witness = Ed25519PrivateKey.generate()
    vkey = verifier_key("witness.example/w1", witness.public_key(), COSIGNATURE)
    line = cosign(SPEC_BODY, vkey.name, witness, 1679315147)

    assert verify_cosignature(SPEC_BODY, line, parse_verifier_key(vkey.text())) == 1679315147
    assert cosigned_by(SPEC_BODY, [line], [vkey]) == {"witness.example/w1": 1679315147}
    with pytest.raises(VerificationError, match="cosignature-invalid"):
        cosigned_by(SPEC_BODY.replace("20852163", "20852164"), [line], [vkey])


def test_an_old_checkpoint_with_its_time_line_still_verifies() -> None:
    private = Ed25519PrivateKey.generate()
    signed_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    note = sign_checkpoint(
        format_checkpoint_body("appeals-ledger", 5, b"\x01" * 32, signed_at),
        "appeals-ledger",
        private,
    )

    checkpoint = verify_checkpoint(note, private.public_key(), "appeals-ledger")

    assert note.split("\n")[3] == "2026-01-02T03:04:05Z"
    assert (checkpoint.size, checkpoint.time) == (5, signed_at)
