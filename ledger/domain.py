"""The Appeal aggregate: one citizen appeal and its lifecycle as immutable events.

Every public command checks its rule (the state machine in ``ledger.lifecycle``) and then
calls a private ``@event`` method that only mutates state, so replaying stored events never
re-checks rules that held when they were recorded. A refused command raises a
``LedgerError`` and records nothing. The events are in ``ledger.events``, the commands in
``ledger.appeal_commands`` (and ``article11``, ``delivery``), the state in
``ledger.appeal_state`` and the mutators' bodies in ``ledger.mutators``.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import TypeAlias
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger import events, mutators
from ledger.appeal_commands import AppealCommands
from ledger.appeal_state import Answer, Note
from ledger.article11 import Article11Commands
from ledger.delivery import DeliveryCommands
from ledger.lifecycle import OPEN, STATUS_AFTER
from ledger.triggers import fast_triggers
from ledger.values import FORMAL_CHANNELS, Channel

__all__ = ["APPEAL_NAMESPACE", "OPEN", "Answer", "Appeal", "Note", "appeal_id_for"]

APPEAL_NAMESPACE = UUID("6f1d6a2e-3b7c-5e4a-9d0b-2a51c0e8b7f3")


@lru_cache(maxsize=1024)
def appeal_id_for(channel: str, external_id: str) -> UUID:
    """The appeal id is a pure function of where the message came from.

    Cached: intake derives it, then the aggregate's ``create_id`` derives it again.
    """
    return uuid5(APPEAL_NAMESPACE, f"{channel}\x1f{external_id}")


class Appeal(AppealCommands, Article11Commands, DeliveryCommands, Aggregate):
    """A citizen appeal; its state is derived only from its events."""

    TOPIC = "appeals:Appeal"

    Event: TypeAlias = events.AppealEvent
    Received = events.Received
    Created = events.Received
    Registered = events.Registered
    Categorized = events.Categorized
    Assigned = events.Assigned
    Forwarded = events.Forwarded
    DeadlineExtended = events.DeadlineExtended
    Answered = events.Answered
    Closed = events.Closed
    Reopened = events.Reopened
    Rated = events.Rated
    PersonalDataErased = events.PersonalDataErased
    LeftWithoutAnswer = events.LeftWithoutAnswer
    NoticeSent = events.NoticeSent
    AnswerDelivered = events.AnswerDelivered
    DeliveryFailed = events.DeliveryFailed
    NoteAdded = events.NoteAdded

    @staticmethod
    def create_id(channel: str, external_id: str) -> UUID:
        """Derive the id from (channel, external id) so a re-delivery finds the same appeal."""
        return appeal_id_for(channel, external_id)

    @event(Received)
    def __init__(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        body: str,
        citizen_id: str | None,
        citizen: str | None,
        category: str | None,
        location: str | None,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
        text_key: str | None,
        source: str | None,
        department: str | None,
    ) -> None:
        self.source = source
        self.channel = Channel(channel)
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
        self.department = department
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
        self.formal = self.channel in FORMAL_CHANNELS
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

    # --- mutators: each records its event and applies it (``ledger.mutators``) ------

    _register = event(Registered)(mutators.registered)
    _categorize = event(Categorized)(mutators.categorized)
    _assign = event(Assigned)(mutators.assigned)
    _forward = event(Forwarded)(mutators.forwarded)
    _extend = event(DeadlineExtended)(mutators.deadline_extended)
    _answer = event(Answered)(mutators.answered)
    _close = event(Closed)(mutators.closed)
    _reopen = event(Reopened)(mutators.reopened)
    _rate = event(Rated)(mutators.rated)
    _erase = event(PersonalDataErased)(mutators.personal_data_erased)
    _leave_without_answer = event(LeftWithoutAnswer)(mutators.left_without_answer)
    _send_notice = event(NoticeSent)(mutators.notice_sent)
    _delivered = event(AnswerDelivered)(mutators.answer_delivered)
    _delivery_failed = event(DeliveryFailed)(mutators.delivery_failed)
    _add_note = event(NoteAdded)(mutators.note_added)


# Commands trigger these events through fewer layers (``ledger.triggers``).
fast_triggers(Appeal)
