"""Source secrets sealed under one key kept apart from the database, and sender pseudonyms.

Secrets are sealed exactly as citizen data is (``ledger.privacy``: AES-GCM, the key id
bound into each token), but under a single key that lives in a file or a setting, never in
the store: a copy of the database alone does not reveal a token or a webhook secret.
The same key derives senders' pseudonymous citizen ids, so a platform user id never
appears in clear in an event, and one sender's appeals share one citizen key (erasure).
"""

from __future__ import annotations

import hashlib
import hmac

from ledger.privacy import CitizenVault

_SECRETS_KEY_ID = "channel-source-secrets"


class _OneKey:
    """A key store that holds one key for every id (secrets are never erased one by one)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def get_or_create(self, citizen_id: str) -> bytes:
        return self._key

    def get(self, citizen_id: str) -> bytes | None:
        return self._key

    def destroy(self, citizen_id: str) -> bool:
        return False


class SecretSeal:
    """Seals and opens source secrets; names senders by keyed pseudonyms."""

    def __init__(
        self, key: bytes, pseudonym_key: bytes | None = None, also: bytes | None = None
    ) -> None:
        """``pseudonym_key`` is kept across key rotations (``channels.directory``); by
        default it is derived from ``key``, as it was before the first rotation. ``also`` is
        a second key secrets may be sealed under (the next key, during a rotation)."""
        if len(key) != 32 or (also is not None and len(also) != 32):
            raise ValueError("the sources key must be 32 bytes")
        self.key = key
        self.also = also
        self._vault = CitizenVault(_OneKey(key))
        self._other = CitizenVault(_OneKey(also)) if also else None
        self.pseudonym_key = (
            pseudonym_key or hmac.new(key, b"sender pseudonyms", hashlib.sha256).digest()
        )

    def seal(self, value: str | None, purpose: str) -> str | None:
        """The sealed token of a secret (``purpose`` binds it to its column), or None."""
        if value is None:
            return None
        return self._vault.seal_text(f"{_SECRETS_KEY_ID}:{purpose}", value)

    def open(self, token: str | None, purpose: str) -> str | None:
        """The secret in clear; None when there is none or it was sealed under another key."""
        if token is None:
            return None
        name = f"{_SECRETS_KEY_ID}:{purpose}"
        opened = self._vault.open_texts(name, [token])[0]
        if opened is None and self._other is not None:
            opened = self._other.open_texts(name, [token])[0]
        return opened

    def pseudonym(self, channel: str, sender: str) -> str:
        """A stable citizen id for a platform sender that does not reveal who they are."""
        digest = hmac.new(self.pseudonym_key, f"{channel}\x1f{sender}".encode(), "sha256")
        return f"{channel}-{digest.hexdigest()[:20]}"
