"""The one spelling of hashes and keys (standard padded base64), and verification failures."""

from __future__ import annotations

import base64
import hashlib
import re

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

_HEX = re.compile(r"[0-9a-f]{64}")


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
        if version is None and leaf_index is not None:
            where = f" at leaf {leaf_index}"
        super().__init__(f"{reason}{where}" + (f": {detail}" if detail else ""))


def b64(raw: bytes) -> str:
    """Standard padded base64, the spelling of every hash and key we publish."""
    return base64.b64encode(raw).decode()


def from_b64(text: str, reason: str, length: int | None = None) -> bytes:
    """Decode canonical base64 only: non-canonical spellings could hide a flipped bit."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error is a ValueError
        raise VerificationError(reason=reason, detail="not base64") from None
    if b64(raw) != text or length not in (None, len(raw)):
        raise VerificationError(reason=reason, detail="not canonical base64 of that length")
    return raw


def from_hex(text: str, reason: str) -> bytes:
    """Decode a lowercase 64-digit hex hash, as bundles of format 1 spelled them."""
    if not _HEX.fullmatch(text):
        raise VerificationError(reason=reason, detail="hash is not lowercase hex")
    return bytes.fromhex(text)


def fingerprint(public_key: ed25519.Ed25519PublicKey) -> str:
    """``SHA256:`` and the base64 SHA-256 of the key's DER SubjectPublicKeyInfo.

    The same figure ``openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary |
    base64`` prints for the PEM file, so a person can check it without our code.
    """
    der = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + b64(hashlib.sha256(der).digest())


def load_public_key_pem(data: bytes) -> ed25519.Ed25519PublicKey:
    """Load an Ed25519 public key from PEM; anything else is a ``key-unreadable`` failure."""
    try:
        key = load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise VerificationError(reason="key-unreadable", detail="not a PEM public key") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise VerificationError(reason="key-unreadable", detail="not an Ed25519 key")
    return key
