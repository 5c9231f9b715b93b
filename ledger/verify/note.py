"""Signed checkpoints: a C2SP ``tlog-checkpoint`` body in a ``signed-note``, signed by the log.

New checkpoints have the three lines ``tlog-checkpoint`` requires (origin, size, root) and no
extension line: the spec calls extension lines NOT RECOMMENDED because monitors cannot audit
them, and a witness's cosignature already carries the time it saw the tree. Checkpoints signed
before this had a fourth line, the signing time ``YYYY-MM-DDTHH:MM:SSZ``; they still verify,
and their time is read back into ``Checkpoint.time``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.verify.encoding import VerificationError, b64, from_b64

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_KEY_NAME = re.compile(r"[!-*,-~]+")  # printable ASCII without space and "+"
_DASH = "\u2014 "


@dataclass(frozen=True)
class Checkpoint:
    """A parsed signed checkpoint."""

    origin: str
    size: int
    root: bytes
    time: datetime | None
    key_name: str
    key_id: bytes
    signature: bytes
    body: str


def key_id(key_name: str, public_key: ed25519.Ed25519PublicKey) -> bytes:
    """Return the signed-note key id: SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)[:4]."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(key_name.encode() + b"\n\x01" + raw).digest()[:4]


def format_checkpoint_body(
    origin: str, size: int, root: bytes, time: datetime | None = None
) -> str:
    """Return the three-line checkpoint body, or the older four-line one given a ``time``."""
    if not origin or "\n" in origin or size < 0 or len(root) != 32:
        raise ValueError("invalid checkpoint field")
    if time is None:
        return f"{origin}\n{size}\n{b64(root)}\n"
    if time.tzinfo is None:
        raise ValueError("invalid checkpoint field: the time must be timezone-aware")
    stamp = time.astimezone(UTC).strftime(TIME_FORMAT)
    return f"{origin}\n{size}\n{b64(root)}\n{stamp}\n"


def sign_checkpoint(body: str, key_name: str, private_key: ed25519.Ed25519PrivateKey) -> str:
    """Sign a checkpoint body and return the full signed note."""
    if not _KEY_NAME.fullmatch(key_name):
        raise ValueError("key name must be printable ASCII without spaces or '+'")
    blob = key_id(key_name, private_key.public_key()) + private_key.sign(body.encode())
    return f"{body}\n{_DASH}{key_name} {b64(blob)}\n"


def parse_checkpoint(note: str) -> Checkpoint:
    """Parse a signed checkpoint strictly: canonical fields and exactly one signature.

    The body has three lines, or four for a checkpoint signed with the older time line.
    """
    body, _, sigs = note.partition("\n\n")
    lines, parts, body = body.split("\n"), sigs[:-1].split(" "), body + "\n"
    if (
        len(lines) not in (3, 4)
        or not sigs.endswith("\n")
        or "\n" in sigs[:-1]
        or not sigs.startswith(_DASH)
        or len(parts) != 3
    ):
        raise VerificationError(reason="checkpoint-malformed", detail="layout")
    origin, size, root, *stamps = lines
    time: datetime | None = None
    try:  # round trips reject every non-canonical spelling of size and time
        canonical = str(int(size)) == size
        for stamp in stamps:
            time = datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)
            canonical = canonical and time.strftime(TIME_FORMAT) == stamp
        body.encode()
    except (ValueError, UnicodeEncodeError):
        canonical = False
    if not (canonical and origin and _KEY_NAME.fullmatch(parts[1])):
        raise VerificationError(reason="checkpoint-malformed", detail="field")
    blob = from_b64(parts[2], "checkpoint-malformed", 68)
    return Checkpoint(
        origin,
        int(size),
        from_b64(root, "checkpoint-malformed", 32),
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
