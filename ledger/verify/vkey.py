"""Verifier keys in the signed-note text form: ``<name>+<hex key id>+<base64(type ‖ key)>``.

The form Go's ``golang.org/x/mod/sumdb/note`` reads (``note.NewVerifier``) and the C2SP
``signed-note`` spec calls a *vkey*. Type ``0x01`` is an Ed25519 note signature (a log's
checkpoint key); type ``0x04`` is an Ed25519 witness cosignature key (``tlog-cosignature``).
The private half, ``PRIVATE+KEY+<name>+<hex key id>+<base64(type ‖ seed)>``, is the form
``note.NewSigner`` reads; it is parsed here for the spec's test vectors and for a witness's key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from ledger.verify.encoding import VerificationError

ED25519 = 0x01
"""Signature type of an Ed25519 note signature."""
COSIGNATURE = 0x04
"""Signature type of a timestamped Ed25519 witness cosignature."""
_NAME = re.compile(r"[!-*,-~]+")  # printable ASCII without space and "+"
_ID = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True)
class VerifierKey:
    """A parsed verifier key: who signs, how, and the raw 32-byte Ed25519 public key."""

    name: str
    key_id: bytes
    kind: int
    raw: bytes

    def public_key(self) -> ed25519.Ed25519PublicKey:
        """The Ed25519 key itself."""
        return ed25519.Ed25519PublicKey.from_public_bytes(self.raw)

    def text(self) -> str:
        """The key in note form again."""
        material = base64.b64encode(bytes([self.kind]) + self.raw).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"


def raw_public(public_key: ed25519.Ed25519PublicKey) -> bytes:
    """The 32 bytes of an Ed25519 public key."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def note_key_id(name: str, kind: int, raw: bytes) -> bytes:
    """SHA-256(name ‖ "\\n" ‖ type ‖ key)[:4], the key id every signature line starts with."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + raw).digest()[:4]


def verifier_key(
    name: str, public_key: ed25519.Ed25519PublicKey, kind: int = ED25519
) -> VerifierKey:
    """The verifier key of ``public_key`` under ``name``."""
    if not _NAME.fullmatch(name):
        raise ValueError("key name must be printable ASCII without spaces or '+'")
    raw = raw_public(public_key)
    return VerifierKey(name, note_key_id(name, kind, raw), kind, raw)


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse a vkey strictly: a known type, a 32-byte key and the key id it must have."""
    name, key_id, material = _split(text.strip(), 3)
    raw = _material(material)
    kind, key = raw[0], raw[1:]
    if kind not in (ED25519, COSIGNATURE) or len(key) != 32:
        raise VerificationError(reason="key-unreadable", detail="not an Ed25519 verifier key")
    if note_key_id(name, kind, key).hex() != key_id:
        raise VerificationError(reason="key-unreadable", detail="the key id does not match")
    return VerifierKey(name, bytes.fromhex(key_id), kind, key)


def parse_signer_key(text: str) -> tuple[VerifierKey, ed25519.Ed25519PrivateKey]:
    """Parse ``PRIVATE+KEY+name+id+base64(type ‖ seed)``: the vkey and the private key."""
    if not text.startswith("PRIVATE+KEY+"):
        raise VerificationError(reason="key-unreadable", detail="not a PRIVATE+KEY signer key")
    name, key_id, material = _split(text.strip()[len("PRIVATE+KEY+") :], 3)
    raw = _material(material)
    if raw[0] not in (ED25519, COSIGNATURE) or len(raw) != 33:
        raise VerificationError(reason="key-unreadable", detail="not an Ed25519 signer key")
    private = ed25519.Ed25519PrivateKey.from_private_bytes(raw[1:])
    vkey = verifier_key(name, private.public_key(), raw[0])
    if vkey.key_id.hex() != key_id:
        raise VerificationError(reason="key-unreadable", detail="the key id does not match")
    return vkey, private


def signer_key(name: str, private_key: ed25519.Ed25519PrivateKey, kind: int = ED25519) -> str:
    """The private key in ``PRIVATE+KEY+`` form (to store, never to publish)."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    vkey = verifier_key(name, private_key.public_key(), kind)
    material = base64.b64encode(bytes([kind]) + seed).decode()
    return f"PRIVATE+KEY+{name}+{vkey.key_id.hex()}+{material}"


def _split(text: str, parts: int) -> list[str]:
    fields = text.split("+", 2)
    if len(fields) != parts or not _NAME.fullmatch(fields[0]) or not _ID.fullmatch(fields[1]):
        raise VerificationError(reason="key-unreadable", detail="not name+keyid+key")
    return fields


def _material(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise VerificationError(reason="key-unreadable", detail="key is not base64") from None
    if not raw or base64.b64encode(raw).decode() != text:
        raise VerificationError(reason="key-unreadable", detail="key is not canonical base64")
    return raw
