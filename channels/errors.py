"""Errors of the channels: a source that is not there, and a webhook refused.

LedgerError (ledger.errors)
└── SourceNotFoundError      no source with that id (source)
WebhookRefusal               a webhook request is refused (status, reason)
"""

from __future__ import annotations

from ledger.errors import LedgerError


class SourceNotFoundError(LedgerError):
    """No source has that channel and id."""

    code = "NOT_FOUND"

    def __init__(self, *, source: str) -> None:
        self.source = source
        super().__init__(source=source)

    def sentence(self) -> str:
        return f"there is no source {self.source}"


class WebhookRefusal(Exception):
    """A webhook request refused with an HTTP status; ``reason`` is a metric label."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        self.status = status
        self.reason = reason
        self.detail = detail
        super().__init__(detail)
