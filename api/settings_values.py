"""Settings' value types and the parsers of their text: no environment is read here.

``api.settings`` reads each variable and hands its text to these parsers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.datastructures import Secret

from ledger.special_terms import SpecialTerm
from ledger.values import EARLIEST_BUSINESS_TIME, Channel
from ledger.verify import VerificationError
from ledger.verify.vkey import COSIGNATURE, parse_verifier_key


class SettingsError(Exception):
    """A setting's value cannot be used; the message is one line for the operator."""


@dataclass(frozen=True)
class ChannelSettings:
    """Sources' sealing key, the platforms' API endpoints, SMTP, and delivery retries."""

    sources_key: Secret | None = None
    vk_api_url: str = "https://api.vk.com"
    vk_api_version: str = "5.199"
    telegram_api_url: str = "https://api.telegram.org"
    max_api_url: str = "https://platform-api2.max.ru"
    ok_api_url: str = "https://api.ok.ru"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = ""
    smtp_user: str = ""
    smtp_password: Secret | None = None
    smtp_starttls: bool = False
    delivery_retry_seconds: float = 5.0
    delivery_attempts: int = 8
    delivery_timeout: int = 10


def parse_hours(value: str) -> dict[str, float]:
    """``vk=8,telegram=9`` → ``{"vk": 8.0, "telegram": 9.0}``; channels and hours checked."""
    hours: dict[str, float] = {}
    channels = {channel.value for channel in Channel}
    for item in filter(None, (part.strip() for part in value.split(","))):
        channel, _, number = (part.strip() for part in item.partition("="))
        try:
            hours[channel] = float(number)
        except ValueError:
            msg = f"APPEALS_FIRST_RESPONSE_HOURS: {item!r} is not channel=hours"
            raise SettingsError(msg) from None
        if channel not in channels:
            msg = f"APPEALS_FIRST_RESPONSE_HOURS: {channel!r} is not a channel (one of "
            raise SettingsError(msg + ", ".join(sorted(channels)) + ")")
        if not math.isfinite(hours[channel]) or hours[channel] <= 0:
            msg = f"APPEALS_FIRST_RESPONSE_HOURS: {item!r} needs a positive number of hours"
            raise SettingsError(msg)
    return hours


def parse_special_terms(value: str) -> dict[str, frozenset[SpecialTerm]]:
    """``миграция=migration_answer+migration_forwarding`` → the terms per category."""
    terms: dict[str, frozenset[SpecialTerm]] = {}
    known = ", ".join(term.value for term in SpecialTerm)
    for item in filter(None, (part.strip() for part in value.split(","))):
        category, _, names = (part.strip() for part in item.partition("="))
        try:
            chosen = frozenset(SpecialTerm(name.strip()) for name in names.split("+"))
        except ValueError:
            msg = f"APPEALS_SPECIAL_TERMS: {item!r} is not category=term+term (terms: {known})"
            raise SettingsError(msg) from None
        if not category:
            raise SettingsError(f"APPEALS_SPECIAL_TERMS: {item!r} names no category")
        terms[category] = chosen
    return terms


def parse_witnesses(value: str, name: str) -> tuple[tuple[str, str], ...]:
    """``URL VKEY`` pairs, separated by commas or newlines; each key a cosignature key."""
    found = []
    for entry in value.replace("\n", ",").split(","):
        if not entry.strip():
            continue
        parts = entry.split()
        url = urlsplit(parts[0])
        if len(parts) != 2 or url.scheme not in ("http", "https") or not url.netloc:
            raise SettingsError(f"{name}: {entry.strip()!r} is not 'URL VERIFIER-KEY'")
        try:
            if parse_verifier_key(parts[1]).kind != COSIGNATURE:
                raise SettingsError(f"{name}: {parts[1]!r} is not a witness cosignature key")
        except VerificationError as error:
            raise SettingsError(f"{name}: {parts[1]!r}: {error}") from None
        found.append((parts[0], parts[1]))
    return tuple(found)


def parse_log_origin(raw: str, name: str, default: str) -> str:
    """The audit log's origin: one line of printable text, the first line of every checkpoint."""
    value = raw.strip() or default
    if not value.isprintable():
        raise SettingsError(f"{name}: {value!r} must be one line of printable text")
    return value


def parse_instant(raw: str, name: str) -> datetime:
    """An ISO 8601 date (its midnight in UTC) or an instant with its offset; empty: the earliest."""
    raw = raw.strip()
    if not raw:
        return EARLIEST_BUSINESS_TIME
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not an ISO 8601 date or time") from None
    if len(raw) == 10:  # a date alone: its midnight in UTC
        return value.replace(tzinfo=UTC)
    if value.tzinfo is None:
        raise SettingsError(f"{name}: {raw!r} needs a timezone offset, like +03:00")
    return value
