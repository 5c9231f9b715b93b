"""Value types of the appeal domain and the validation of free input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from ledger.errors import ValidationError

MAX_TEXT_LENGTH = 10_000
# The default floor of business times: earlier ones are typing mistakes (year 1), not appeals.
EARLIEST_BUSINESS_TIME = datetime(2000, 1, 1, tzinfo=UTC)
# Unicode category Cc is exactly C0, DEL and C1; newline and tab are the allowed ones.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
E = TypeVar("E", bound=StrEnum)


class Channel(StrEnum):
    """Where an appeal came from."""

    VK = "vk"
    OK = "ok"
    MAX = "max"  # the national messenger (max.ru)
    TELEGRAM = "telegram"
    CHATBOT = "chatbot"
    POS = "pos"  # the federal feedback platform («Решаем вместе»)
    EMAIL = "email"
    WEB = "web"
    LETTER = "letter"


FORMAL_CHANNELS = frozenset({Channel.POS, Channel.EMAIL, Channel.WEB, Channel.LETTER})


class Status(StrEnum):
    """Where an appeal stands in its lifecycle."""

    RECEIVED = "received"
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    FORWARDED = "forwarded"
    ANSWERED = "answered"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How an appeal was closed."""

    RESOLVED = "resolved"
    EXPLAINED = "explained"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    NOT_COMPETENT = "not_competent"
    NO_ANSWER_REQUIRED = "no_answer_required"


class Role(StrEnum):
    """Who acts; recorded with every event."""

    SYSTEM = "system"
    PUBLIC = "public"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """The subject that caused an event and the role it acted in."""

    id: str
    role: Role

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > 200:
            raise ValidationError(field="actor.id", reason="must be 1-200 characters")


SYSTEM = Actor(id="system", role=Role.SYSTEM)


def parse_enum(kind: type[E], value: str, field: str) -> E:
    """Return ``value`` as a member of ``kind`` or refuse it naming the field."""
    try:
        return kind(value)
    except ValueError:
        allowed = "|".join(member.value for member in kind)
        raise ValidationError(field=field, reason=f"must be one of {allowed}") from None


def clean_text(value: str, field: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """NFC-normalise free text and refuse empty, oversized or control-laden input."""
    text = unicodedata.normalize("NFC", value)
    if not text.strip():
        raise ValidationError(field=field, reason="must not be empty")
    if len(text) > max_length:
        raise ValidationError(field=field, reason=f"must be at most {max_length} characters")
    control = _CONTROL.search(text)
    if control is not None:
        raise ValidationError(
            field=field, reason=f"must not contain control character U+{ord(control.group()):04X}"
        )
    return text


@lru_cache(maxsize=4096)
def clean_name(value: str, field: str) -> str:
    """A short single-line identifier such as a body, department or category.

    Cached: names repeat (a few hundred bodies, departments and staff), and an import
    cleans one or two per event. A refused name raises again each time (not cached).
    """
    text = clean_text(value, field, max_length=200)
    if "\n" in text or "\t" in text:
        raise ValidationError(field=field, reason="must be a single line")
    return text.strip()


def require_int_range(value: object, field: str, low: int, high: int) -> int:
    """An integer in [low, high]; booleans and fractions are refused, not coerced."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(field=field, reason=f"must be an integer {low}-{high}")
    return value


def require_aware(value: datetime, field: str) -> datetime:
    """Business times are instants; a naive datetime is ambiguous and refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field=field, reason="must carry a timezone")
    return value
