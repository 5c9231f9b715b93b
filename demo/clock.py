"""The demo's business time: it only moves forward, and stops at the end of the window.

The generator walks each appeal through its lifecycle by asking the clock for the time
``after`` some delay; a step that would fall past the window's end raises ``PastTheEnd``,
which the generator catches to leave that appeal where it stands (open, unanswered …),
as a real office's appeals stand at any moment.
"""

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
        """The time ``days``, ``hours`` and ``minutes`` from now; refused past the window."""
        self.now += timedelta(days=days, hours=hours, minutes=minutes)
        if self.now > self.until:
            raise PastTheEnd()
        return self.now
