"""One imported event, one refused line, and the names of event types in files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple
from uuid import UUID

from ledger.domain import Appeal
from ledger.values import Actor


class EventType(StrEnum):
    """An event's ``type`` in a file: the past-tense fact, in snake case."""

    RECEIVED = "received"
    REGISTERED = "registered"
    CATEGORIZED = "categorized"
    ASSIGNED = "assigned"
    FORWARDED = "forwarded"
    DEADLINE_EXTENDED = "deadline_extended"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"
    RATED = "rated"
    PERSONAL_DATA_ERASED = "personal_data_erased"
    LEFT_WITHOUT_ANSWER = "left_without_answer"
    NOTICE_SENT = "notice_sent"
    NOTE_ADDED = "note_added"


CLASSES: dict[EventType, type[Appeal.Event]] = {
    EventType.RECEIVED: Appeal.Received,
    EventType.REGISTERED: Appeal.Registered,
    EventType.CATEGORIZED: Appeal.Categorized,
    EventType.ASSIGNED: Appeal.Assigned,
    EventType.FORWARDED: Appeal.Forwarded,
    EventType.DEADLINE_EXTENDED: Appeal.DeadlineExtended,
    EventType.ANSWERED: Appeal.Answered,
    EventType.CLOSED: Appeal.Closed,
    EventType.REOPENED: Appeal.Reopened,
    EventType.RATED: Appeal.Rated,
    EventType.PERSONAL_DATA_ERASED: Appeal.PersonalDataErased,
    EventType.LEFT_WITHOUT_ANSWER: Appeal.LeftWithoutAnswer,
    EventType.NOTICE_SENT: Appeal.NoticeSent,
    EventType.NOTE_ADDED: Appeal.NoteAdded,
}
TYPES: dict[type[Appeal.Event], EventType] = {cls: kind for kind, cls in CLASSES.items()}


class AppealKey(NamedTuple):
    """An appeal's source identity as a file names it.

    A named tuple (not a dataclass): every line builds one and hashes it, and a tuple's
    construction, hashing and pickling are done in C.
    """

    channel: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class ImportedEvent(NamedTuple):
    """One event of an appeal's history as read from a file, its shape already checked.

    A named tuple, as ``AppealKey``: built for every line, carried to worker processes.
    """

    line: int
    appeal: AppealKey
    appeal_id: UUID
    type: EventType
    at: datetime
    fields: dict[str, Any]
    actor: Actor | None
    source_id: str | None = None
    """The appeal's source (its page, bot or mailbox id within the channel), if named."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused line: where, which appeal (when it could be told), which field, and why."""

    line: int
    appeal: str
    field: str
    reason: str
