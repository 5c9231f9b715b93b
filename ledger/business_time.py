"""Which time counts for a command: the business time a deadline and a statistic rest on.

A caller may give ``at``; the ledger refuses one before the earliest accepted business time
or further ahead of its own clock than the allowed clock skew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ledger.errors import ValidationError
from ledger.values import EARLIEST_BUSINESS_TIME, require_aware

__all__ = ["CLOCK_SKEW", "BusinessClock"]

CLOCK_SKEW = timedelta(minutes=5)
"""How far a caller's clock may run ahead of the ledger's."""


def now() -> datetime:
    """The ledger's own clock: the current UTC time."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class BusinessClock:
    """The ledger's clock and the bounds it puts on the times callers give."""

    clock: Callable[[], datetime] = now
    earliest: datetime = EARLIEST_BUSINESS_TIME
    skew: timedelta = CLOCK_SKEW

    def __post_init__(self) -> None:
        require_aware(self.earliest, "earliest")

    def time_of(self, at: datetime | None, field: str = "at") -> datetime:
        """A business time given by the caller, or now; refused before the floor or ahead."""
        if at is None:
            return self.clock()
        require_aware(at, field)
        if at < self.earliest:
            reason = f"is before {self.earliest.isoformat()}, the earliest business time accepted"
            raise ValidationError(field=field, reason=reason)
        if at > self.clock() + self.skew:
            raise ValidationError(field=field, reason="is in the future")
        return at.astimezone(UTC)
