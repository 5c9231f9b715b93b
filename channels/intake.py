"""Recording a platform's message as an appeal of its source: lookups, checks and counts."""

from __future__ import annotations

import hmac
import logging

from prometheus_client import CollectorRegistry, Counter

from channels.directory import SourceDirectory
from channels.errors import WebhookRefusal
from channels.inbound import Inbound
from channels.source import CHANNELS, Source
from ledger.application import AppealsLedger, Recorded
from ledger.errors import ValidationError
from ledger.privacy import Citizen

log = logging.getLogger("appeals.channels")


class Intake:
    """Finds the source of a request, authenticates it and records its message once."""

    def __init__(
        self, ledger: AppealsLedger, directory: SourceDirectory, registry: CollectorRegistry
    ) -> None:
        self.ledger = ledger
        self.directory = directory
        self.refusals = Counter(
            "appeals_channel_refusals",
            "Webhook requests refused, by channel and reason",
            ["channel", "reason"],
            registry=registry,
        )
        self.messages = Counter(
            "appeals_channel_messages",
            "Webhook messages: recorded, repeated (already recorded) or ignored (not appeals)",
            ["channel", "outcome"],
            registry=registry,
        )

    def source(self, channel: str, platform_id: str) -> Source:
        """The enabled source, or 404 (an unknown and a disabled source look the same)."""
        found = self.directory.get(channel, platform_id)
        if found is None:
            raise WebhookRefusal(404, "unknown_source", "no such source")
        if not found.enabled:
            raise WebhookRefusal(404, "disabled_source", "no such source")
        return found

    @staticmethod
    def authenticate(source: Source, given: str | None) -> None:
        """Compare the request's secret with the source's in constant time; 403 if wrong."""
        expected = (source.secrets.secret or "").encode()
        offered = (given or "").encode()
        # compare_digest takes time independent of where the two differ.
        if not expected or not hmac.compare_digest(expected, offered):
            raise WebhookRefusal(403, "bad_secret", "wrong secret")

    def record(self, source: Source, message: Inbound) -> Recorded:
        """Record the message as an appeal of the source; a repeat records nothing."""
        channel = source.channel.value
        # The reply address: an e-mail address, or the platform's user or chat id.
        contact = message.contact or (
            message.sender if channel == "email" else f"{channel}:{message.sender}"
        )
        citizen = Citizen(name=message.sender_name, contact=contact)
        try:
            recorded = self.ledger.receive_appeal(
                channel=channel,
                external_id=message.external_id,
                text=message.full_text(),
                body=source.body,
                citizen=citizen,
                citizen_ref=self.directory.seal.pseudonym(channel, message.sender),
                category=source.category,
                department=source.department,
                at=message.at,
                time_reason=f"channel:{channel}",
                source=source.key,
            )
        except ValidationError as error:
            raise WebhookRefusal(400, "rejected", str(error)) from None
        self.messages.labels(channel, "recorded" if recorded.created else "repeated").inc()
        return recorded

    def ignored(self, channel: str) -> None:
        """Count an event acknowledged without an appeal (another event type, a chat)."""
        self.messages.labels(channel, "ignored").inc()

    def oversized(self, path: str) -> None:
        """Count a webhook body refused as too large (413, answered before routing)."""
        prefix, _, rest = path.partition("/channels/")
        if prefix or not rest:
            return
        channel = rest.split("/", 1)[0]
        known = channel in {c.value for c in CHANNELS}
        detail = "the body is larger than APPEALS_MAX_BODY_BYTES"
        self.refused(channel if known else "unknown", WebhookRefusal(413, "too_large", detail))

    def refused(self, channel: str, refusal: WebhookRefusal) -> None:
        """Count and log a refusal; the log names no sender and quotes no payload."""
        self.refusals.labels(channel, refusal.reason).inc()
        log.warning(
            "channel %s refused a request (%s): %s", channel, refusal.reason, refusal.detail
        )
