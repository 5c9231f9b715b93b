"""The state the read side keeps about one appeal (the appeals view stores it as a row)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from uuid import UUID

from ledger.lifecycle import OPEN
from ledger.values import Channel, Outcome, Status


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
    """The reply the appeal awaits: the answer, or after a ст. 11 decision its notice."""
    first_response_due_at: datetime | None = None
    extended: bool = False
    outcome: Outcome | None = None
    duplicate_of: UUID | None = None
    rating: int | None = None
    reopen_count: int = 0
    version: int = 0
    last_position: int = 0
    body_received_at: datetime | None = None
    """When the current body received it: None = at receipt, else the last forwarding."""
    answered_on_time: bool | None = None
    """The verdict of the first final answer given under an answer due date (ст. 12 ч. 1)."""
    registration_number: str | None = None
    location: str | None = None
    forwarded_from: str | None = None
    """The body that forwarded the appeal last (the target is ``body``)."""
    forward_reason: str | None = None
    extension_reason: str | None = None
    source: str | None = None
    """The official page, bot or mailbox it came through (``channel:platform id``)."""
    published_at: datetime | None = None
    """When the first public answer was given: from then on Open311 shows the appeal (no PII)."""
    awaits_notice: bool = False
    """``answer_due_at`` is the due date of a 59-ФЗ ст. 11 notice, not of an answer."""

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
