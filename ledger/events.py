"""The appeal's events: past-tense facts, each stored under an explicit, pinned topic.

``Appeal`` (in ``ledger.domain``) takes these classes as its nested events, so they are
found as ``Appeal.Received`` and so on; the library subclasses each decorated one there, and
the stored topic (``appeals:Appeal.Received``) is the ``TOPIC`` written here, never the
module path, so moving these classes never orphans stored events.

Every event carries the actor (id and role) and the business time ``at``; the library adds
the recorded ``timestamp``. A changed event gets a new ``class_version`` and an upcaster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

__all__ = [
    "Answered",
    "AppealEvent",
    "Assigned",
    "Categorized",
    "Closed",
    "DeadlineExtended",
    "Forwarded",
    "PersonalDataErased",
    "Rated",
    "Received",
    "Registered",
    "Reopened",
]


class AppealEvent(Aggregate.Event):
    """Base of every appeal event: who did it and when it happened in the world."""

    actor_id: str
    actor_role: str
    at: datetime


class Received(AppealEvent, Aggregate.Created):
    """A message arrived; the application seals citizen data and, since v2, the text.

    ``text_key`` names the key the text is sealed under; ``None`` means the text is in
    clear (every version-1 event, written before texts were sealed).
    """

    TOPIC = "appeals:Appeal.Received"
    class_version = 2
    channel: str
    external_id: str
    text: str
    text_key: str | None
    body: str
    citizen_id: str | None
    citizen: str | None
    category: str | None
    location: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 stored the text in clear."""
        state["text_key"] = None


class Registered(AppealEvent):
    """The appeal was registered as a formal appeal under 59-ФЗ."""

    TOPIC = "appeals:Appeal.Registered"
    number: str


class Categorized(AppealEvent):
    """The appeal's category was set."""

    TOPIC = "appeals:Appeal.Categorized"
    category: str


class Assigned(AppealEvent):
    """A department and an assignee took the appeal."""

    TOPIC = "appeals:Appeal.Assigned"
    department: str
    assignee: str


class Forwarded(AppealEvent):
    """The appeal went to the competent body; the citizen is notified with the reason."""

    TOPIC = "appeals:Appeal.Forwarded"
    to_body: str
    reason: str


class DeadlineExtended(AppealEvent):
    """The answer deadline was extended once, with a reason noticed to the citizen."""

    TOPIC = "appeals:Appeal.DeadlineExtended"
    days: int
    new_due_at: datetime
    reason: str


class Answered(AppealEvent):
    """An interim or final answer was given; v2 added ``public``, v3 ``text_key``."""

    TOPIC = "appeals:Appeal.Answered"
    class_version = 3
    text: str
    final: bool
    public: bool
    text_key: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 answers were never published, so ``public`` is False."""
        state["public"] = False

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Version 2 stored the text in clear."""
        state["text_key"] = None


class Closed(AppealEvent):
    """The appeal was closed with an outcome; duplicates point to the original."""

    TOPIC = "appeals:Appeal.Closed"
    outcome: str
    duplicate_of: UUID | None


class Reopened(AppealEvent):
    """A closed appeal was reopened and returns to work."""

    TOPIC = "appeals:Appeal.Reopened"
    reason: str


class Rated(AppealEvent):
    """The citizen rated the answer from 1 to 5."""

    TOPIC = "appeals:Appeal.Rated"
    score: int


class PersonalDataErased(AppealEvent):
    """The citizen's key was destroyed; sealed data now reads as erased."""

    TOPIC = "appeals:Appeal.PersonalDataErased"
    legal_basis: str
