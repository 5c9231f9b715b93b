"""A source: one official page, bot or mailbox, and the channels that have sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.errors import ValidationError
from ledger.values import Channel, clean_name

CHANNELS = (Channel.VK, Channel.TELEGRAM, Channel.MAX, Channel.OK, Channel.EMAIL)
"""Channels with webhooks and delivery."""
NUMERIC_IDS = {
    Channel.VK: "a VK community id",
    Channel.MAX: "a MAX bot id",
    Channel.OK: "an OK group id",
}
"""Channels whose sources are named by a positive number on their platform."""
WITH_SECRET = (Channel.VK, Channel.TELEGRAM, Channel.MAX, Channel.OK)
"""Channels whose webhooks cannot be authenticated without a secret."""


@dataclass(frozen=True, slots=True)
class Secrets:
    """What a source must keep to itself; never returned, logged or stored in clear."""

    secret: str | None = None
    """The webhook secret: VK's ``secret`` field, Telegram's secret token header, MAX's
    ``X-Max-Bot-Api-Secret`` header, the ``secret`` query parameter of OK's webhook URL, or
    the ``X-Appeals-Secret`` header of a mail gateway."""
    confirmation: str | None = None
    """VK's confirmation string, answered to a ``confirmation`` request."""
    token: str | None = None
    """The access token answers are posted with (VK community token, Telegram or MAX bot
    token, OK group token)."""


@dataclass(frozen=True, slots=True)
class Source:
    """One page, bot or mailbox: where its appeals belong and how to talk to it."""

    channel: Channel
    platform_id: str
    body: str
    department: str | None = None
    category: str | None = None
    enabled: bool = True
    secrets: Secrets = field(default_factory=Secrets, repr=False)

    @property
    def key(self) -> str:
        """How appeals name their source: ``channel:platform id``."""
        return source_key(self.channel.value, self.platform_id)


def source_key(channel: str, platform_id: str) -> str:
    """``vk:12345``, ``telegram:city_bot``, ``max:7301``, ``email:appeals@city.example``."""
    return f"{channel}:{platform_id}"


def parse_channel(value: str) -> Channel:
    """A channel that has sources, or a refusal naming the ones that do."""
    for channel in CHANNELS:
        if channel.value == value:
            return channel
    allowed = "|".join(c.value for c in CHANNELS)
    raise ValidationError(field="channel", reason=f"must be one of {allowed}")


def clean_platform_id(channel: Channel, value: str) -> str:
    """The platform's own id of the source, checked for its channel."""
    text = clean_name(value, "sourceId")
    if channel in NUMERIC_IDS and not text.isdigit():
        raise ValidationError(
            field="sourceId", reason=f"{NUMERIC_IDS[channel]} is a positive number"
        )
    if channel is Channel.TELEGRAM:
        text = text.removeprefix("@")
    if channel is Channel.EMAIL and "@" not in text:
        raise ValidationError(field="sourceId", reason="a mailbox is an e-mail address")
    if "/" in text or ":" in text:
        raise ValidationError(field="sourceId", reason="must not contain / or :")
    return text


def new_source(
    channel: str,
    platform_id: str,
    *,
    body: str,
    department: str | None = None,
    category: str | None = None,
    secrets: Secrets = Secrets(),
) -> Source:
    """A source checked as an admin gives it (CLI or GraphQL); refusals name the field."""
    kind = parse_channel(channel)
    if kind in WITH_SECRET and not secrets.secret:
        raise ValidationError(field="secret", reason=f"is required for {kind.value} webhooks")
    for name in ("secret", "confirmation", "token"):
        value = getattr(secrets, name)
        if value is not None and (not value or not value.isprintable() or len(value) > 500):
            raise ValidationError(field=name, reason="must be 1-500 printable characters")
    return Source(
        channel=kind,
        platform_id=clean_platform_id(kind, platform_id),
        body=clean_name(body, "body"),
        department=clean_name(department, "department") if department else None,
        category=clean_name(category, "category") if category else None,
        secrets=secrets,
    )
