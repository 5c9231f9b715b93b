"""An appeal's current state as the read side folds it from events (no free text)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from uuid import UUID

from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from ledger.domain import Appeal
from ledger.values import FORMAL_CHANNELS, Channel, Outcome, Status
from projections.first_response import FirstResponseClock

OPEN = frozenset({Status.RECEIVED, Status.REGISTERED, Status.ASSIGNED, Status.FORWARDED})


@dataclass(slots=True)
class AppealState:
    """Everything the views keep about one appeal; the appeals view stores it as a row."""

    id: UUID
    channel: Channel
    external_id: str
    status: Status
    category: str | None
    body: str
    department: str | None
    assignee: str | None
    citizen_id: str | None
    received_at: datetime
    registered_at: datetime | None = None
    first_response_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    registration_due_at: datetime | None = None
    forwarding_due_at: datetime | None = None
    answer_due_at: datetime | None = None
    first_response_due_at: datetime | None = None
    extended: bool = False
    outcome: Outcome | None = None
    duplicate_of: UUID | None = None
    rating: int | None = None
    reopen_count: int = 0
    version: int = 0
    last_position: int = 0

    def copy(self) -> AppealState:
        """A detached copy, to remember the state before a batch."""
        return replace(self)

    @property
    def is_open(self) -> bool:
        """Still waiting for work: received, registered, assigned or forwarded."""
        return self.status in OPEN

    @property
    def next_due_at(self) -> datetime | None:
        """The earliest due instant of an obligation not yet met, while the appeal is open.

        Obligations: registration (formal appeals), first response (social channels) and the
        answer. Forwarding is a limit on forwarding, not something every appeal must do, so it
        never makes an appeal overdue. The appeal is overdue at ``now`` iff this is <= ``now``
        (59-ФЗ periods end at the due instant; an act strictly before it is on time).
        """
        if self.status not in OPEN:
            return None
        pending = [
            due
            for due, met in (
                (self.registration_due_at, self.registered_at),
                (self.first_response_due_at, self.first_response_at),
                (self.answer_due_at, self.answered_at),
            )
            if due is not None and met is None
        ]
        return min(pending) if pending else None


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(AppealState))


class Folder:
    """Applies appeal events to states; due dates come from the same rules as the ledger."""

    def __init__(self, norms: Norms, calendar: ProductionCalendar) -> None:
        self.norms = norms
        self.calendar = calendar
        self._midnight = lru_cache(maxsize=4096)(calendar.midnight_utc)
        self._local_date = calendar.local_date
        self._first_response_due = FirstResponseClock(norms, calendar).due_at

    def warm_up(self, today: date) -> None:
        """Build this year's production calendar now (~0.1 s) rather than on the first event."""
        self.calendar.is_working_day(today)
        self._first_response_due("vk", datetime.combine(today, datetime.min.time(), UTC))

    def _days_due(self, at: datetime, days: int) -> datetime:
        # Same rule as ledger.deadlines: the local midnight that starts (local date + days + 1).
        day: date = self._local_date(at)
        return self._midnight(day + timedelta(days=days + 1))

    def start(self, event: Appeal.Received, position: int) -> AppealState:
        """The state an appeal has right after it was received."""
        channel = Channel(event.channel)
        at = event.at
        return AppealState(
            id=event.originator_id,
            channel=channel,
            external_id=event.external_id,
            status=Status.RECEIVED,
            category=event.category,
            body=event.body,
            department=None,
            assignee=None,
            citizen_id=event.citizen_id,
            received_at=at,
            registration_due_at=(
                self._days_due(at, self.norms.registration_days)
                if channel in FORMAL_CHANNELS
                else None
            ),
            first_response_due_at=self._first_response_due(channel.value, at),
            version=event.originator_version,
            last_position=position,
        )

    def apply(self, state: AppealState, event: Appeal.Event, position: int) -> None:
        """Mutate ``state`` by one later event of the same appeal."""
        at = event.at
        if isinstance(event, Appeal.Registered):
            state.registered_at = at
            state.status = Status.REGISTERED
            if state.registration_due_at is None:
                state.registration_due_at = self._days_due(
                    state.received_at, self.norms.registration_days
                )
            state.forwarding_due_at = self._days_due(at, self.norms.forwarding_days)
            state.answer_due_at = self._days_due(at, self.norms.answer_days)
        elif isinstance(event, Appeal.Categorized):
            state.category = event.category
        elif isinstance(event, Appeal.Assigned):
            state.department = event.department
            state.assignee = event.assignee
            state.status = Status.ASSIGNED
        elif isinstance(event, Appeal.Forwarded):
            state.body = event.to_body
            state.department = None
            state.assignee = None
            state.status = Status.FORWARDED
        elif isinstance(event, Appeal.DeadlineExtended):
            # The recorded due date wins, exactly as in Appeal.due_dates.
            state.answer_due_at = event.new_due_at
            state.extended = True
        elif isinstance(event, Appeal.Answered):
            if state.first_response_at is None:
                state.first_response_at = at
            if event.final:
                state.answered_at = at
                state.status = Status.ANSWERED
        elif isinstance(event, Appeal.Closed):
            state.outcome = Outcome(event.outcome)
            state.duplicate_of = event.duplicate_of
            state.closed_at = at
            state.status = Status.CLOSED
        elif isinstance(event, Appeal.Reopened):
            state.outcome = None
            state.duplicate_of = None
            state.closed_at = None
            state.reopen_count += 1
            state.status = Status.ASSIGNED
        elif isinstance(event, Appeal.Rated):
            state.rating = event.score
        # PersonalDataErased changes nothing the views hold: they keep no personal data.
        state.version = event.originator_version
        state.last_position = position
