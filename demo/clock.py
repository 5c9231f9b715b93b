"""The demo's business time: every event states why, and time only moves forward."""

from __future__ import annotations

from datetime import datetime, timedelta

from ledger.errors import LedgerError

SYNTHETIC = "demo: a synthetic history"
"""Every demo event states why its time is not the ledger's own (``ledger.business_time``)."""


class PastTheEnd(LedgerError):
    """The generated lifecycle ran past the demo window."""


class Clock:
    """Business time that only moves forward and stops at the end of the window."""

    def __init__(self, now: datetime, until: datetime) -> None:
        self.now = now
        self.until = until

    def after(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """The time this much later; ``PastTheEnd`` once it passes the window's end.

        The generator stops an appeal's lifecycle there, leaving it open as it stands.
        """
        self.now += timedelta(days=days, hours=hours, minutes=minutes)
        if self.now > self.until:
            raise PastTheEnd()
        return self.now
