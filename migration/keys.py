"""Citizen keys for a batch: the stored ones fetched in one query, new ones kept to store."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class PrefetchedKeys:
    """A key store over one batch: stored keys are read up front, new ones are buffered.

    The batch's new keys are stored together with its events; until then nothing of the
    import is durable, so a key is never lost while events sealed under it are kept.
    """

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}
        self.pending: dict[str, bytes] = {}

    def reset(self, stored: dict[str, bytes]) -> None:
        """Start a batch with these stored keys (new keys of the last batch are dropped)."""
        self.stored = stored
        self.pending = {}

    def get_or_create(self, citizen_id: str) -> bytes:
        key = self.stored.get(citizen_id)
        if key is None:
            key = self.pending.setdefault(citizen_id, AESGCM.generate_key(bit_length=256))
        return key

    def get(self, citizen_id: str) -> bytes | None:
        return self.stored.get(citizen_id) or self.pending.get(citizen_id)

    def destroy(self, citizen_id: str) -> bool:
        return self.pending.pop(citizen_id, None) is not None

    def drain(self) -> list[tuple[str, bytes]]:
        """The keys created in this batch, to store with its events."""
        keys, self.pending = list(self.pending.items()), {}
        self.stored.update(keys)
        return keys
