"""Citizen personal data sealed with a per-citizen key (AES-GCM), erasable by key destruction.

Events store only the sealed token, so destroying a citizen's key ("crypto-shredding") makes
every copy of their data unreadable while the stored event bytes, and so the audit log
leaves, stay exactly as they were.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEAL_PREFIX = "v1."


@dataclass(frozen=True, slots=True)
class Citizen:
    """What identifies and reaches a citizen; all of it is personal data."""

    name: str | None = None
    contact: str | None = None
    address: str | None = None

    @property
    def is_anonymous(self) -> bool:
        """59-ФЗ: with no name and no address the appeal gets no answer."""
        return not self.name and not (self.contact or self.address)


class KeyStore(Protocol):
    """Where per-citizen keys live, apart from the events."""

    def get_or_create(self, citizen_id: str) -> bytes: ...

    def get(self, citizen_id: str) -> bytes | None: ...

    def destroy(self, citizen_id: str) -> bool: ...


class MemoryKeyStore:
    """Keys in a dict; for tests and for tools that seal nothing durable."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}

    def get_or_create(self, citizen_id: str) -> bytes:
        return self._keys.setdefault(citizen_id, AESGCM.generate_key(bit_length=256))

    def get(self, citizen_id: str) -> bytes | None:
        return self._keys.get(citizen_id)

    def destroy(self, citizen_id: str) -> bool:
        return self._keys.pop(citizen_id, None) is not None


class CitizenVault:
    """Seals and opens citizen data; a destroyed key reads as erased (``None``)."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    def seal(self, citizen_id: str, citizen: Citizen) -> str:
        key = self.keys.get_or_create(citizen_id)
        nonce = os.urandom(12)
        plaintext = json.dumps(asdict(citizen), ensure_ascii=False).encode()
        sealed = AESGCM(key).encrypt(nonce, plaintext, citizen_id.encode())
        return SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, citizen_id: str, token: str) -> Citizen | None:
        key = self.keys.get(citizen_id)
        if key is None:
            return None
        raw = base64.urlsafe_b64decode(token.removeprefix(SEAL_PREFIX))
        try:
            plaintext = AESGCM(key).decrypt(raw[:12], raw[12:], citizen_id.encode())
        except InvalidTag:
            return None
        fields: Mapping[str, str | None] = json.loads(plaintext)
        return Citizen(**fields)

    def erase(self, citizen_id: str) -> bool:
        """Destroy the key; returns whether there was one."""
        return self.keys.destroy(citizen_id)


class BufferedKeyStore:
    """Creates keys in memory and hands them over in one batch (bulk imports)."""

    def __init__(self) -> None:
        self.pending: dict[str, bytes] = {}

    def get_or_create(self, citizen_id: str) -> bytes:
        return self.pending.setdefault(citizen_id, AESGCM.generate_key(bit_length=256))

    def get(self, citizen_id: str) -> bytes | None:
        return self.pending.get(citizen_id)

    def destroy(self, citizen_id: str) -> bool:
        return self.pending.pop(citizen_id, None) is not None

    def drain(self) -> list[tuple[str, bytes]]:
        """Return and forget the keys created since the last drain."""
        keys, self.pending = list(self.pending.items()), {}
        return keys
