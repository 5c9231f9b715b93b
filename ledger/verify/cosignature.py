"""Signed notes with many signatures, and ``tlog-cosignature`` Ed25519 witness cosignatures.

A served checkpoint is the log's note followed by witnesses' lines
``— <witness name> base64(key id ‖ u64 timestamp ‖ Ed25519 signature)``, where the signature
covers ``cosignature/v1\\ntime <timestamp>\\n`` and then the checkpoint body.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from ledger.verify.encoding import VerificationError, b64, from_b64
from ledger.verify.vkey import COSIGNATURE, ED25519, VerifierKey, note_key_id, raw_public

_DASH = "\u2014 "
MAX_SIGNATURES = 64
"""More signature lines than this make a note malformed (the spec asks for at least 16)."""


@dataclass(frozen=True)
class SignatureLine:
    """One signature line of a note: key name, key id and the rest of the signature."""

    name: str
    key_id: bytes
    signature: bytes

    def text(self) -> str:
        """The line as it appears in a note, with its newline."""
        return f"{_DASH}{self.name} {b64(self.key_id + self.signature)}\n"


def split_note(note: str) -> tuple[str, list[SignatureLine]]:
    """The note's text (with its final newline) and its signature lines, strictly."""
    text, separator, block = note.rpartition("\n\n")
    if not separator or not block.endswith("\n") or not text:
        raise VerificationError(reason="checkpoint-malformed", detail="layout")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise VerificationError(reason="checkpoint-malformed", detail="too many signatures")
    signatures = []
    for line in lines:
        name, space, blob = line.removeprefix(_DASH).partition(" ")
        if not line.startswith(_DASH) or not space or not name or "+" in name:
            raise VerificationError(reason="checkpoint-malformed", detail="signature line")
        raw = from_b64(blob, "checkpoint-malformed")
        if len(raw) < 5:
            raise VerificationError(reason="checkpoint-malformed", detail="short signature")
        signatures.append(SignatureLine(name, raw[:4], raw[4:]))
    return text + "\n", signatures


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What an Ed25519 cosigner signs: the header, the time line, then the checkpoint body."""
    if not 0 <= timestamp < 2**63:
        raise ValueError(f"bad timestamp {timestamp}")
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(
    body: str, name: str, private_key: ed25519.Ed25519PrivateKey, timestamp: int
) -> SignatureLine:
    """The witness's cosignature line on a checkpoint body."""
    key_id = note_key_id(name, COSIGNATURE, raw_public(private_key.public_key()))
    signed = private_key.sign(cosignature_message(body, timestamp))
    return SignatureLine(name, key_id, struct.pack(">Q", timestamp) + signed)


def verify_cosignature(body: str, line: SignatureLine, witness: VerifierKey) -> int:
    """Check one witness's cosignature on a body; return its timestamp."""
    if witness.kind != COSIGNATURE or (line.name, line.key_id) != (witness.name, witness.key_id):
        raise VerificationError(reason="cosignature-key-unknown", detail=line.name)
    if len(line.signature) != 72:
        raise VerificationError(reason="cosignature-malformed", detail=line.name)
    (timestamp,) = struct.unpack(">Q", line.signature[:8])
    try:
        message = cosignature_message(body, timestamp)
        witness.public_key().verify(line.signature[8:], message)
    except (InvalidSignature, ValueError):
        raise VerificationError(reason="cosignature-invalid", detail=line.name) from None
    return int(timestamp)


def cosigned_by(
    body: str, lines: list[SignatureLine], witnesses: list[VerifierKey]
) -> dict[str, int]:
    """Which of ``witnesses`` cosigned the body, with their timestamps; unknown lines ignored.

    A line that names a known witness (name and key id) but does not verify fails the whole
    note, as ``signed-note`` asks.
    """
    found: dict[str, int] = {}
    for witness in witnesses:
        for line in lines:
            if (line.name, line.key_id) == (witness.name, witness.key_id):
                found[witness.name] = verify_cosignature(body, line, witness)
    return found


@dataclass(frozen=True)
class OpenedCheckpoint:
    """A checkpoint whose log signature verified: its body's fields and every signature line."""

    body: str
    origin: str
    size: int
    root: bytes
    lines: list[SignatureLine]


def open_checkpoint(note: str, log: VerifierKey) -> OpenedCheckpoint:
    """Verify the log's Ed25519 signature on a (possibly cosigned) checkpoint and parse it."""
    body, lines = split_note(note)
    fields = body[:-1].split("\n")
    if len(fields) < 3 or not fields[0] or any(not line for line in fields):
        raise VerificationError(reason="checkpoint-malformed", detail="body")
    size = fields[1]
    if not size.isdigit() or str(int(size)) != size:
        raise VerificationError(reason="checkpoint-malformed", detail="size")
    root = from_b64(fields[2], "checkpoint-malformed", 32)
    signed = [line for line in lines if (line.name, line.key_id) == (log.name, log.key_id)]
    if log.kind != ED25519 or not signed:
        raise VerificationError(reason="checkpoint-key-unknown", detail=log.name)
    try:
        log.public_key().verify(signed[0].signature, body.encode())
    except InvalidSignature:
        raise VerificationError(reason="checkpoint-signature-invalid") from None
    return OpenedCheckpoint(body, fields[0], int(size), root, lines)
