"""One message as a platform delivered it, parsed into what the ledger records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from channels.errors import WebhookRefusal
from ledger.values import MAX_TEXT_LENGTH

MAX_ATTACHMENTS_LISTED = 20
TRUNCATED = "\n[truncated]"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
    contact: str | None = None
    """Where answers go, when it is not the sender's id (OK answers into the chat): personal
    data, sealed with the citizen's."""

    def full_text(self) -> str:
        """The text with one reference line per attachment, cut to the ledger's limit.

        A long letter is kept rather than refused: a refused message would be re-sent by
        its platform forever, and the citizen's appeal would never be recorded.
        """
        lines = [a.line() for a in self.attachments[:MAX_ATTACHMENTS_LISTED]]
        text = "\n".join([self.text, *lines]) if lines else self.text
        # Platforms pass through what people paste (CR, NUL, escape codes); the ledger refuses
        # control characters, and a refused message would be re-sent forever.
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        if not text.strip():
            text = "(no text)"
        if len(text) > MAX_TEXT_LENGTH:
            text = text[: MAX_TEXT_LENGTH - len(TRUNCATED)] + TRUNCATED
        return text


def unix_time(value: object, field: str) -> datetime:
    """A platform's Unix time in seconds, or a refusal naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise WebhookRefusal(400, "bad_payload", f"{field} is not a Unix time")
    return datetime.fromtimestamp(value, UTC)


def unix_millis(value: object, field: str) -> datetime:
    """A platform's Unix time in milliseconds (MAX, OK), or a refusal naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise WebhookRefusal(400, "bad_payload", f"{field} is not a Unix time in milliseconds")
    return datetime.fromtimestamp(value / 1000, UTC)


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
