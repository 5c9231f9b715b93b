"""The checkpoint signing key pair on disk (PEM files in ``APPEALS_KEYS_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from audit.errors import AuditError

PRIVATE_KEY, PUBLIC_KEY = "checkpoint.key", "checkpoint.pub"


def generate_keys(directory: Path, *, force: bool = False) -> tuple[Path, Path]:
    """Write a new Ed25519 pair as PEM (private key mode 0600); refuse to overwrite."""
    private, public = directory / PRIVATE_KEY, directory / PUBLIC_KEY
    if not force and (private.exists() or public.exists()):
        raise AuditError(f"{private} or {public} exists: pass --force to replace the key pair")
    directory.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    private.unlink(missing_ok=True)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public.write_bytes(public_key_pem(key.public_key()))
    return private, public


def load_private_key(directory: Path) -> Ed25519PrivateKey:
    """The checkpoint signing key."""
    key = load_pem_private_key(_read(directory / PRIVATE_KEY), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditError(f"{directory / PRIVATE_KEY} is not an Ed25519 private key")
    return key


def load_public_key(directory: Path) -> Ed25519PublicKey:
    """The key every checkpoint must verify with."""
    key = load_pem_public_key(_read(directory / PUBLIC_KEY))
    if not isinstance(key, Ed25519PublicKey):
        raise AuditError(f"{directory / PUBLIC_KEY} is not an Ed25519 public key")
    return key


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """The key as PEM (SubjectPublicKeyInfo), as ``/ledger/public-key`` serves it."""
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise AuditError(f"no key at {path}: run `appeals keys generate`") from None
