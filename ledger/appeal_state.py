"""Everything an appeal aggregate holds, declared once (``Appeal.__init__`` sets it on receipt).

``AppealState`` is the base of the aggregate's halves (``ledger.appeal_dues``,
``ledger.appeal_commands``, ``ledger.article11``) and of ``ledger.domain.Appeal``, which
changes this state only in its ``@event`` mutators.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from ledger.clocks import AnswerClocks
from ledger.values import Channel, Outcome, Status

__all__ = ["Answer", "AppealState", "Note"]


class Answer(NamedTuple):
    """One answer as the aggregate holds it; ``text`` is sealed under ``text_key`` if set."""

    text: str
    final: bool
    public: bool
    text_key: str | None = None
    delivery: str | None = None
    """Where a public answer to a channel's appeal stands: delivering, delivered or failed."""


class Note(NamedTuple):
    """An internal note staff keep on an appeal; ``text`` is sealed under ``text_key`` if set."""

    text: str
    text_key: str | None
    actor_id: str
    actor_role: str
    at: datetime


class AppealState:
    """The state of one appeal (set by ``Appeal.__init__`` and its mutators)."""

    channel: Channel
    source: str | None
    external_id: str
    text: str
    text_key: str | None
    body: str
    citizen_id: str | None
    citizen: str | None
    category: str | None
    location: str | None
    status: Status
    formal: bool
    received_at: datetime
    last_at: datetime
    last_event: str
    registration_number: str | None
    special_terms: tuple[str, ...]
    registered_at: datetime | None
    registration_from: tuple[str, datetime] | None
    department: str | None
    assignee: str | None
    forwarded_to: list[str]
    forwarded_at: datetime | None
    extension_days: int
    extended_at: datetime | None
    extended_due_at: datetime | None
    first_response_at: datetime | None
    answered_at: datetime | None
    answers: list[Answer]
    notes: list[Note]
    first_judged: AnswerClocks | None
    outcome: Outcome | None
    duplicate_of: UUID | None
    closed_at: datetime | None
    reopen_count: int
    reopened_at: datetime | None
    rating: int | None
    erased: bool
    no_answer_ground: str | None
    no_answer_at: datetime | None
    notice_owed: bool
    notice_sent_at: datetime | None

    if TYPE_CHECKING:

        @property
        def id(self) -> UUID: ...

    def _touch(self, at: datetime, what: str) -> None:
        self.last_at = at
        self.last_event = what

    def notice_pending(self) -> bool:
        """Whether a notice is owed under 59-ФЗ ст. 11 and not sent yet."""
        return self.notice_owed and self.notice_sent_at is None
