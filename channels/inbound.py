"""One message as a platform delivered it, parsed into what the ledger records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from channels.errors import WebhookRefusal

MAX_ATTACHMENTS_LISTED = 20


@dataclass(frozen=True, slots=True)
class Attachment:
    """A reference to a file the citizen sent; the file itself is not downloaded."""

    kind: str
    ref: str
    size: int | None = None
    url: str | None = None

    def line(self) -> str:
        """One line for the appeal's text: type, id, size and URL where known."""
        parts = [self.kind, self.ref]
        if self.size is not None:
            parts.append(f"{self.size} bytes")
        if self.url:
            parts.append(self.url)
        return "[attachment: " + ", ".join(parts) + "]"


@dataclass(frozen=True, slots=True)
class Inbound:
    """A citizen's message: identity, time, text and sender (personal data, sealed later)."""

    external_id: str
    at: datetime
    text: str
    sender: str
    """The platform's id of the sender (user id, chat id, address): personal data."""
    sender_name: str | None = None
    attachments: tuple[Attachment, ...] = ()

    def full_text(self) -> str:
        """The text with one reference line per attachment."""
        lines = [a.line() for a in self.attachments[:MAX_ATTACHMENTS_LISTED]]
        return "\n".join([self.text, *lines]) if lines else self.text


def unix_time(value: object, field: str) -> datetime:
    """A platform's Unix time in seconds, or a refusal naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise WebhookRefusal(400, "bad_payload", f"{field} is not a Unix time")
    return datetime.fromtimestamp(value, UTC)


def require(mapping: object, key: str, kind: type, where: str) -> object:
    """``mapping[key]`` of type ``kind``, or a refusal naming ``where.key``."""
    if not isinstance(mapping, dict) or not isinstance(mapping.get(key), kind):
        raise WebhookRefusal(
            400, "bad_payload", f"{where}.{key} is missing or not a {kind.__name__}"
        )
    value = mapping[key]
    if kind is int and isinstance(value, bool):
        raise WebhookRefusal(400, "bad_payload", f"{where}.{key} is not an int")
    return value
