"""What goes back to a platform, and how a platform call can fail."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from channels.source import Source


@dataclass(frozen=True, slots=True)
class Reply:
    """A public answer on its way to where the citizen wrote."""

    appeal_id: UUID
    answer: int
    text: str
    external_id: str
    contact: str | None
    """The citizen's opened contact (``vk:<id>``, ``telegram:<chat>``, an address); None
    once erased."""
    source: Source

    @property
    def identity(self) -> bytes:
        """A digest of (appeal, answer): the same for every attempt of this answer."""
        return hashlib.sha256(f"{self.appeal_id}\x1f{self.answer}".encode()).digest()


class DeliveryError(Exception):
    """A platform call failed; ``retry`` when a later attempt may succeed."""

    def __init__(self, message: str, *, retry: bool, after: float = 0.0) -> None:
        self.message = message
        self.retry = retry
        self.after = after
        super().__init__(message)


def addressed(reply: Reply, prefix: str, token_kind: str, nobody: str) -> tuple[str, str]:
    """The source's token and the citizen's contact (starting with ``prefix``), or a refusal
    that no retry can mend: no token on the source, or the contact erased."""
    token = reply.source.secrets.token
    if not token:
        raise DeliveryError(f"the source has no {token_kind}", retry=False)
    if not reply.contact or not reply.contact.startswith(prefix):
        raise DeliveryError(f"the citizen's data was erased: {nobody}", retry=False)
    return token, reply.contact


class Platform(Protocol):
    """A platform's client: posts a reply and returns the platform's id of the post."""

    idempotent: bool
    """Whether sending the same reply twice posts it once (an idempotency key)."""

    def send(self, reply: Reply) -> str: ...


def scrub(text: str, *secrets: str | None) -> str:
    """A platform's error text made safe to record: one line, no secret, at most 300 chars."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())[:300]
