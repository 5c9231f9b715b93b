"""Citizen personal data sealed with a per-citizen key (AES-GCM), erasable by key destruction.

Events store only the sealed token, so destroying a citizen's key ("crypto-shredding") makes
every copy of their data unreadable while the stored event bytes, and so the audit log
leaves, stay exactly as they were. Free text (an appeal's message and the answers to it) is
sealed the same way, because citizens write their address and phone number into it: under
the citizen's key. An anonymous appeal's text stays in clear: there is nobody who could ask
for its erasure, and a key of its own would cost a key write on every anonymous receipt.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEAL_PREFIX = "v1."
# Associated data binds a token to its key id and to what it seals, so a sealed text can
# never be opened as citizen fields (or the other way round).
_TEXT_PURPOSE = b"\x1ftext"


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
        plaintext = json.dumps(asdict(citizen), ensure_ascii=False).encode()
        return _seal(key, plaintext, citizen_id.encode())

    def open(self, citizen_id: str, token: str) -> Citizen | None:
        key = self.keys.get(citizen_id)
        plaintext = None if key is None else _open(key, token, citizen_id.encode())
        if plaintext is None:
            return None
        fields: Mapping[str, str | None] = json.loads(plaintext)
        return Citizen(**fields)

    def seal_intake(self, key_id: str, citizen: Citizen, text: str) -> tuple[str, str]:
        """Seal a new appeal's citizen and text, fetching their key once."""
        cipher = AESGCM(self.keys.get_or_create(key_id))
        # The fields as ``asdict`` gives them, without its deep copy (a fifth of a receipt).
        fields = {"name": citizen.name, "contact": citizen.contact, "address": citizen.address}
        plaintext = json.dumps(fields, ensure_ascii=False).encode()
        sealed_citizen = _seal_with(cipher, plaintext, key_id.encode())
        return sealed_citizen, _seal_with(cipher, text.encode(), key_id.encode() + _TEXT_PURPOSE)

    def seal_text(self, key_id: str, text: str) -> str:
        """Seal free text under ``key_id``, creating the key on first use."""
        key = self.keys.get_or_create(key_id)
        return _seal(key, text.encode(), key_id.encode() + _TEXT_PURPOSE)

    def open_texts(self, key_id: str, tokens: Sequence[str]) -> list[str | None]:
        """Open texts sealed under one key with one key lookup; ``None`` once erased."""
        key = self.keys.get(key_id)
        if key is None:
            return [None] * len(tokens)
        aad = key_id.encode() + _TEXT_PURPOSE
        opened = [_open(key, token, aad) for token in tokens]
        return [None if raw is None else raw.decode() for raw in opened]

    def open_grouped(self, tokens: Mapping[str, Sequence[str]]) -> dict[str, list[str | None]]:
        """``open_texts`` for many keys, fetching them in one go where the store can."""
        get_many = getattr(self.keys, "get_many", None)
        if get_many is None:
            return {key_id: self.open_texts(key_id, texts) for key_id, texts in tokens.items()}
        keys: Mapping[str, bytes] = get_many(list(tokens))
        opened: dict[str, list[str | None]] = {}
        for key_id, texts in tokens.items():
            key = keys.get(key_id)
            aad = key_id.encode() + _TEXT_PURPOSE
            raw = [None if key is None else _open(key, token, aad) for token in texts]
            opened[key_id] = [None if r is None else r.decode() for r in raw]
        return opened

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


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> str:
    return _seal_with(AESGCM(key), plaintext, aad)


def _seal_with(cipher: AESGCM, plaintext: bytes, aad: bytes) -> str:
    nonce = os.urandom(12)
    sealed = cipher.encrypt(nonce, plaintext, aad)
    return SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def _open(key: bytes, token: str, aad: bytes) -> bytes | None:
    # A key created again after an erasure (a later appeal of the same citizen) is another
    # key: the old tokens fail authentication and read as erased, as they should.
    raw = base64.urlsafe_b64decode(token.removeprefix(SEAL_PREFIX))
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], aad)
    except InvalidTag:
        return None
