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
