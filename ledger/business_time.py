"""Which time counts for a command: the business time a deadline and a statistic rest on.

- A receipt keeps the source platform's time (``at``, default now).
- A staff action counts at the ledger's own time: ``at`` may be given, but one further
  before the ledger's clock than ``backdating`` (``APPEALS_CLOCK_SKEW``, default 120 s) is
  refused with ``BackdatedError`` (59-ФЗ clocks and on-time statistics must not be movable
  by the person they judge).
- The exception: a migration or a channel adapter states ``time_reason``; then ``at`` is
  trusted as stated and the event records the reason, which the history shows.

Any time before the earliest accepted business time, or further ahead of the ledger's clock
than ``skew``, is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ledger.errors import BackdatedError, ValidationError
from ledger.values import EARLIEST_BUSINESS_TIME, clean_text, require_aware

__all__ = ["BACKDATING", "CLOCK_SKEW", "BusinessClock", "TimeBasis", "now", "time_basis_of"]

CLOCK_SKEW = timedelta(minutes=5)
"""How far a caller's clock may run ahead of the ledger's."""

BACKDATING = timedelta(seconds=120)
"""How far before the ledger's clock a staff action's ``at`` may be, by default."""


class TimeBasis(StrEnum):
    """What an event's business time rests on."""

    SOURCE = "source"
    """A receipt: the source platform's time of the message."""
    LEDGER = "ledger"
    """A staff action: the ledger's own time (within the allowed clock skew)."""
    STATED = "stated"
    """Stated by a migration or a channel adapter, with the reason recorded."""


def time_basis_of(event_name: str, time_reason: str | None) -> TimeBasis:
    """The basis of an event's time, from its class name and stated reason."""
    if time_reason is not None:
        return TimeBasis.STATED
    return TimeBasis.SOURCE if event_name == "Received" else TimeBasis.LEDGER


def now() -> datetime:
    """The ledger's own clock: the current UTC time."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class BusinessClock:
    """The ledger's clock and the bounds it puts on the times callers give."""

    clock: Callable[[], datetime] = now
    earliest: datetime = EARLIEST_BUSINESS_TIME
    skew: timedelta = CLOCK_SKEW
    backdating: timedelta = BACKDATING

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

    def staff_time(
        self, at: datetime | None, time_reason: str | None, field: str = "at"
    ) -> tuple[datetime, str | None]:
        """The business time of a staff action, and the reason it was stated, if any."""
        if time_reason is not None:
            reason = clean_text(time_reason, "timeReason")
            if at is None:
                raise ValidationError(field="timeReason", reason="is given without a time")
            return self.time_of(at, field), reason
        now = self.clock()
        if at is None:
            return now, None
        when = self.time_of(at, field)
        if when < now - self.backdating:
            raise BackdatedError(
                field=field,
                at=when.isoformat(),
                ledger_time=now.isoformat(),
                skew_seconds=self.backdating.total_seconds(),
            )
        return when, None
