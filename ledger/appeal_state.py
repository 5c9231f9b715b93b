"""Everything an appeal aggregate holds, declared once, and its state right after receipt.

``AppealState`` is the base of the aggregate's halves (``ledger.appeal_dues``,
``ledger.appeal_commands``, ``ledger.article11``) and of ``ledger.domain.Appeal``, which
changes this state only in its ``@event`` mutators.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from ledger.clocks import AnswerClocks
from ledger.lifecycle import STATUS_AFTER
from ledger.values import FORMAL_CHANNELS, Channel, Outcome, Status

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

    def _start(
        self,
        *,
        channel: Channel,
        external_id: str,
        text: str,
        text_key: str | None,
        body: str,
        citizen_id: str | None,
        citizen: str | None,
        category: str | None,
        location: str | None,
        at: datetime,
    ) -> None:
        self.channel = channel
        self.external_id = external_id
        self.text = text
        self.text_key = text_key
        self.body = body
        self.citizen_id = citizen_id
        self.citizen = citizen
        self.category = category
        self.location = location
        self.status = STATUS_AFTER["Received"]
        self.received_at = at
        self.last_at = at
        self.last_event = "receipt"
        self.registration_number = None
        self.special_terms = ()
        self.registered_at = None
        self.department = None
        self.assignee = None
        self.forwarded_to = []
        self.forwarded_at = None
        self.extension_days = 0
        self.extended_at = None
        self.extended_due_at = None
        self.first_response_at = None
        self.answered_at = None
        self.answers = []
        self.notes = []
        self.outcome = None
        self.duplicate_of = None
        self.closed_at = None
        self.reopen_count = 0
        self.reopened_at = None
        self.rating = None
        self.erased = False
        self.formal = channel in FORMAL_CHANNELS
        # What the registration clock counts from: a formal channel's receipt; the forwarding
        # of a formal appeal (receipt by the new body); or, for a social-media message, its
        # registration, which records the office's decision that it is a formal appeal.
        self.registration_from = ("Received", at) if self.formal else None
        # The first final answer given under an answer due date, with the clocks it was given
        # under (ст. 12 ч. 1): a later answer after a reopen never rewrites its verdict.
        self.first_judged = None
        # A decision under ст. 11 to leave the appeal without an answer, and its notice.
        self.no_answer_ground = None
        self.no_answer_at = None
        self.notice_owed = False
        self.notice_sent_at = None

    def _touch(self, at: datetime, what: str) -> None:
        self.last_at = at
        self.last_event = what

    def notice_pending(self) -> bool:
        """Whether a notice is owed under 59-ФЗ ст. 11 and not sent yet."""
        return self.notice_owed and self.notice_sent_at is None
