"""Legal clocks of 59-ФЗ «О порядке рассмотрения обращений граждан» as pure functions.

Rules encoded (days are calendar days unless stated otherwise):

- ст. 8 ч. 2: a written appeal is registered within 3 days of receipt. A formal channel's
  appeal counts from its receipt; an appeal forwarded to another body counts from the
  forwarding (its receipt by that body); a social-media message is not an appeal under 59-ФЗ
  until the office decides it is one, and that decision is recorded by its registration, so
  its registration due date counts from the registration itself and is met at once.
- ст. 8 ч. 3: an appeal outside the body's competence is forwarded to the competent body
  within 7 days of registration, with a notice to the citizen.
- ст. 12 ч. 1: the answer is due within 30 days of registration (by the body that holds the
  appeal: after a forward, the receiving body's registration).
- Reopened (not a 59-ФЗ rule, the reconsideration it implies): a reopened registered appeal
  gets a new answer period of `answer_days` from the reopen.
- ст. 12 ч. 2: that deadline may be extended once, by up to 30 days, with a notice to the citizen.
- ст. 11 ч. 2, 4, 4.1: an appeal left without an answer on these grounds is returned, or its
  author notified, within 7 days of registration (see ``ledger.article11``).
- Regional norm, not 59-ФЗ: a social-media incident (VK, OK, Telegram, chat-bot) gets a first
  response within a number of *working* hours (typically 8) on the production calendar.

Calendar-day rule: a period of N calendar days counted from an event ends at the end of the
local calendar day (in the calendar's timezone) that is N days after the event's local date.
So `due_at` is the local midnight that starts day (event local date + N + 1), in UTC, and the
obligation is met by any act strictly before it. A period ending on a day off is not moved:
59-ФЗ counts calendar days and says nothing about shifting to the next working day.

Every figure lives in `Norms`, so a region or channel that differs is configuration, not code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ledger.calendar import ProductionCalendar, ensure_aware
from ledger.norms import Norms
from ledger.special_terms import Term, term_for

__all__ = [
    "DueDate",
    "DueKind",
    "Norms",
    "answer_due",
    "first_response_due",
    "first_response_due_at",
    "forwarding_due",
    "notice_due",
    "registration_due",
    "reopened_answer_due",
]


class DueKind(StrEnum):
    """Which legal clock a due date belongs to."""

    REGISTRATION = "registration"
    FORWARDING = "forwarding"
    ANSWER = "answer"
    FIRST_RESPONSE = "first_response"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class DueDate:
    """A due instant that can explain itself: which rule, counted from which event."""

    kind: DueKind
    due_at: datetime
    rule: str
    counted_from: str
    from_at: datetime

    def explain(self) -> str:
        """One line: the rule, the event and time it is counted from, and when it is due."""
        return (
            f"{self.kind} due {self.due_at.isoformat()} by {self.rule}; "
            f"counted from {self.counted_from} at {self.from_at.isoformat()}"
        )


def _calendar_days_due(from_at: datetime, days: int, calendar: ProductionCalendar) -> datetime:
    # End of the local day `days` after the event's local date = start of the day after it.
    return calendar.midnight_utc(calendar.local_date(from_at) + timedelta(days=days + 1))


_REGISTRATION_FROM = {
    "Received": "receipt",
    "Forwarded": "receipt by the body it was forwarded to",
    "Registered": "the office's decision that a social-media message is a formal appeal, "
    "recorded by its registration",
}


def registration_due(
    received_at: datetime,
    norms: Norms,
    calendar: ProductionCalendar,
    *,
    counted_from: str = "Received",
) -> DueDate:
    """When registration is due: `registration_days` calendar days after receipt.

    ``counted_from`` names what "receipt" is: ``Received`` (a formal channel), ``Forwarded``
    (receipt by the receiving body) or ``Registered`` (a social-media message, from the
    decision that it is a formal appeal).
    """
    ensure_aware(received_at, "received_at")
    if counted_from not in _REGISTRATION_FROM:
        raise ValueError(f"counted_from must be one of {sorted(_REGISTRATION_FROM)}")
    return DueDate(
        kind=DueKind.REGISTRATION,
        due_at=_calendar_days_due(received_at, norms.registration_days, calendar),
        rule=(
            f"59-ФЗ ст. 8 ч. 2: registration within {norms.registration_days} days of "
            f"{_REGISTRATION_FROM[counted_from]}"
        ),
        counted_from=counted_from,
        from_at=received_at,
    )


def forwarding_due(
    registered_at: datetime,
    norms: Norms,
    calendar: ProductionCalendar,
    *,
    special_terms: Iterable[str] = (),
) -> DueDate:
    """When forwarding to the competent body is due: `forwarding_days` after registration.

    A special term the appeal was registered under (ст. 8 ч. 3.1) replaces the norm.
    """
    ensure_aware(registered_at, "registered_at")
    days = norms.forwarding_days
    term = term_for("forwarding", special_terms) or Term(
        "forwarding",
        days,
        f"59-ФЗ ст. 8 ч. 3: forwarding to the competent body within {days} days of registration",
    )
    return DueDate(
        kind=DueKind.FORWARDING,
        due_at=_calendar_days_due(registered_at, term.days, calendar),
        rule=term.rule,
        counted_from="Registered",
        from_at=registered_at,
    )


def answer_due(
    registered_at: datetime,
    extension_days: int,
    extended_at: datetime | None,
    norms: Norms,
    calendar: ProductionCalendar,
    *,
    special_terms: Iterable[str] = (),
) -> DueDate:
    """When the answer is due: `answer_days` after registration plus the single extension.

    A special term the appeal was registered under (ст. 12 ч. 1.1) replaces the norm.
    """
    ensure_aware(registered_at, "registered_at")
    if not 0 <= extension_days <= norms.max_extension_days:
        raise ValueError(
            f"extension_days must be within 0..{norms.max_extension_days}, got {extension_days!r}"
        )
    days = norms.answer_days
    term = term_for("answer", special_terms) or Term(
        "answer", days, f"59-ФЗ ст. 12 ч. 1: answer within {days} days of registration"
    )
    base = term.rule
    due_at = _calendar_days_due(registered_at, term.days + extension_days, calendar)
    if extension_days == 0:
        if extended_at is not None:
            raise ValueError("extended_at given but extension_days is 0")
        return DueDate(DueKind.ANSWER, due_at, base, "Registered", registered_at)
    if extended_at is None:
        raise ValueError(f"extension_days is {extension_days} but extended_at is None")
    ensure_aware(extended_at, "extended_at")
    # The extension lengthens the period counted from registration; the DeadlineExtended event
    # is what the due date now rests on, so it is the event an auditor is pointed to.
    rule = (
        f"{base} (Registered {registered_at.isoformat()}), "
        f"extended once by {extension_days} days under ст. 12 ч. 2"
    )
    return DueDate(DueKind.ANSWER, due_at, rule, "DeadlineExtended", extended_at)


def reopened_answer_due(
    reopened_at: datetime, norms: Norms, calendar: ProductionCalendar
) -> DueDate:
    """When the answer of a reopened appeal is due: a new `answer_days` from the reopen."""
    ensure_aware(reopened_at, "reopened_at")
    return DueDate(
        kind=DueKind.ANSWER,
        due_at=_calendar_days_due(reopened_at, norms.answer_days, calendar),
        rule=(
            f"reopened: a new answer period of {norms.answer_days} days from the reopen "
            f"(59-ФЗ ст. 12 ч. 1 applied to the reconsideration)"
        ),
        counted_from="Reopened",
        from_at=reopened_at,
    )


def notice_due(
    registered_at: datetime, days: int, article: str, notice: str, calendar: ProductionCalendar
) -> DueDate:
    """When the notice of a decision under ст. 11 is due: ``days`` after registration."""
    ensure_aware(registered_at, "registered_at")
    return DueDate(
        kind=DueKind.NOTICE,
        due_at=_calendar_days_due(registered_at, days, calendar),
        rule=f"{article}: {notice} within {days} days of registration",
        counted_from="Registered",
        from_at=registered_at,
    )


def first_response_due_at(
    channel: str, received_at: datetime, norms: Norms, calendar: ProductionCalendar
) -> datetime | None:
    """``first_response_due(...).due_at`` without the explanation: the rebuild's fast path."""
    hours = norms.first_response_hours_for(channel)
    if hours is None:
        return None
    return calendar.add_working_hours(received_at, hours)


def first_response_due(
    channel: str, received_at: datetime, norms: Norms, calendar: ProductionCalendar
) -> DueDate | None:
    """When the first response is due in working hours; None for channels without a norm."""
    ensure_aware(received_at, "received_at")
    hours = norms.first_response_hours_for(channel)
    if hours is None:
        return None
    return DueDate(
        kind=DueKind.FIRST_RESPONSE,
        due_at=calendar.add_working_hours(received_at, hours),
        rule=(
            f"regional norm for {channel}: first response within {hours:g} working hours "
            f"of receipt on the production calendar ({calendar.tz}, {_working_day(calendar)})"
        ),
        counted_from="Received",
        from_at=received_at,
    )


def _working_day(calendar: ProductionCalendar) -> str:
    day = f"working day {calendar.work_start:%H:%M}-{calendar.work_end:%H:%M}"
    if not calendar.breaks:
        return day
    breaks = ", ".join(f"{begins:%H:%M}-{ends:%H:%M}" for begins, ends in calendar.breaks)
    return f"{day}, breaks {breaks}"
