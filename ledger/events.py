"""The appeal's events: past-tense facts, each stored under an explicit, pinned topic.

``Appeal`` (in ``ledger.domain``) takes these classes as its nested events, so they are
found as ``Appeal.Received`` and so on; the library subclasses each decorated one there, and
the stored topic (``appeals:Appeal.Received``) is the ``TOPIC`` written here, never the
module path, so moving these classes never orphans stored events.

Every event carries the actor (id and role) and the business time ``at``; the library adds
the recorded ``timestamp``. A changed event gets a new ``class_version`` and an upcaster:
every event gained ``time_reason`` in the version after the ones it had before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.values import Actor


def _without_time_reason(state: dict[str, Any]) -> None:
    """Events written before staff times were checked stated no reason for their time."""
    state["time_reason"] = None


__all__ = [
    "AnswerDelivered",
    "Answered",
    "AppealEvent",
    "Assigned",
    "Categorized",
    "Closed",
    "DeadlineExtended",
    "DeliveryFailed",
    "Forwarded",
    "LeftWithoutAnswer",
    "NoteAdded",
    "NoticeSent",
    "PersonalDataErased",
    "Rated",
    "Received",
    "Registered",
    "Reopened",
    "TimeReasonSinceV2",
    "who",
]


def who(actor: Actor, at: datetime, time_reason: str | None) -> dict[str, Any]:
    """The fields every event carries, as a mutator takes them."""
    return {
        "actor_id": actor.id,
        "actor_role": actor.role.value,
        "at": at,
        "time_reason": time_reason,
    }


class AppealEvent(Aggregate.Event):
    """Base of every appeal event: who did it and when it happened in the world."""

    actor_id: str
    actor_role: str
    at: datetime
    time_reason: str | None
    """Why ``at`` is a stated time (a migration, a channel adapter), or ``None``: for a receipt
    the source platform's time, for a staff action the ledger's own (``ledger.business_time``).
    """


class TimeReasonSinceV2(AppealEvent):
    """An event first stored without ``time_reason`` (version 1), which version 2 added."""

    class_version = 2
    upcast_v1_v2 = staticmethod(_without_time_reason)


class Received(AppealEvent, Aggregate.Created):
    """A message arrived; the application seals citizen data and, since v2, the text.

    ``text_key`` names the key the text is sealed under; ``None`` means the text is in
    clear (every version-1 event, written before texts were sealed). ``source`` (v4) is the
    official page, bot or mailbox it came through (``channel:platform id``); ``department``
    (v5) the department it was routed to on receipt (a source's default department), with
    no assignee yet: the appeal stays RECEIVED in that department's queue.
    """

    TOPIC = "appeals:Appeal.Received"
    class_version = 5
    channel: str
    external_id: str
    text: str
    text_key: str | None
    body: str
    citizen_id: str | None
    citizen: str | None
    category: str | None
    location: str | None
    source: str | None
    department: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 stored the text in clear."""
        state["text_key"] = None

    upcast_v2_v3 = staticmethod(_without_time_reason)

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        """Version 3 had no sources: it came from no page, bot or mailbox we know."""
        state["source"] = None

    @staticmethod
    def upcast_v4_v5(state: dict[str, Any]) -> None:
        """Version 4 routed no appeal to a department on receipt."""
        state["department"] = None


class Registered(TimeReasonSinceV2):
    """The appeal was registered as a formal appeal under 59-ФЗ; v2 ``time_reason``, v3 terms."""

    TOPIC = "appeals:Appeal.Registered"
    class_version = 3
    number: str
    special_terms: list[str]
    """The special terms of 59-ФЗ it is registered under (``ledger.special_terms``); v3."""

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Appeals registered before special terms were modelled were under the norms."""
        state["special_terms"] = []


class Categorized(TimeReasonSinceV2):
    """The appeal's category was set."""

    TOPIC = "appeals:Appeal.Categorized"
    category: str


class Assigned(TimeReasonSinceV2):
    """A department and an assignee took the appeal."""

    TOPIC = "appeals:Appeal.Assigned"
    department: str
    assignee: str


class Forwarded(TimeReasonSinceV2):
    """The appeal went to the competent body; the citizen is notified with the reason."""

    TOPIC = "appeals:Appeal.Forwarded"
    to_body: str
    reason: str


class DeadlineExtended(TimeReasonSinceV2):
    """The answer deadline was extended once, with a reason noticed to the citizen."""

    TOPIC = "appeals:Appeal.DeadlineExtended"
    days: int
    new_due_at: datetime
    reason: str


class Answered(AppealEvent):
    """An interim or final answer was given; v2 added ``public``, v3 ``text_key``, v4 ``time_reason``."""

    TOPIC = "appeals:Appeal.Answered"
    class_version = 4
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

    upcast_v3_v4 = staticmethod(_without_time_reason)


class Closed(TimeReasonSinceV2):
    """The appeal was closed with an outcome; duplicates point to the original."""

    TOPIC = "appeals:Appeal.Closed"
    outcome: str
    duplicate_of: UUID | None


class Reopened(TimeReasonSinceV2):
    """A closed appeal was reopened and returns to work."""

    TOPIC = "appeals:Appeal.Reopened"
    reason: str


class Rated(TimeReasonSinceV2):
    """The citizen rated the answer from 1 to 5."""

    TOPIC = "appeals:Appeal.Rated"
    score: int


class PersonalDataErased(TimeReasonSinceV2):
    """The citizen's key was destroyed; sealed data now reads as erased."""

    TOPIC = "appeals:Appeal.PersonalDataErased"
    legal_basis: str


class LeftWithoutAnswer(AppealEvent):
    """Decided under 59-ФЗ ст. 11 that the appeal gets no answer on the merits.

    ``ground`` is a ``ledger.article11.NoAnswerGround``; ``to_body`` the state body an
    anonymous report of a crime was sent to (ч. 1), else ``None``.
    """

    TOPIC = "appeals:Appeal.LeftWithoutAnswer"
    ground: str
    reason: str
    to_body: str | None


class NoticeSent(AppealEvent):
    """The notice ст. 11 owes the citizen was sent; ``reference`` names the outgoing letter."""

    TOPIC = "appeals:Appeal.NoticeSent"
    ground: str
    reference: str


class NoteAdded(AppealEvent):
    """Staff noted something on the appeal for staff only; never shown to the citizen.

    ``text`` is sealed under ``text_key`` like an answer's (``None``: in clear).
    """

    TOPIC = "appeals:Appeal.NoteAdded"
    text: str
    text_key: str | None


class AnswerDelivered(AppealEvent):
    """A public answer reached the channel the appeal came from (``answer``: its index)."""

    TOPIC = "appeals:Appeal.AnswerDelivered"
    answer: int
    attempt: int
    platform_id: str


class DeliveryFailed(AppealEvent):
    """An attempt to deliver an answer failed; ``final``: no further attempt is made."""

    TOPIC = "appeals:Appeal.DeliveryFailed"
    answer: int
    attempt: int
    error: str
    final: bool
