"""The Appeal aggregate: one citizen appeal and its lifecycle as immutable events.

Every public command checks its rule (the state machine in ``ledger.lifecycle``) and then
calls a private ``@event`` method that only mutates state, so replaying stored events never
re-checks rules that held when they were recorded. A refused command raises a
``LedgerError`` and records nothing. The events themselves are in ``ledger.events``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import events
from ledger.appeal_commands import AppealCommands
from ledger.appeal_state import Answer, Note, appeal_id_for
from ledger.article11 import GROUNDS, Article11Commands, NoAnswerGround
from ledger.delivery import DeliveryCommands
from ledger.lifecycle import OPEN, STATUS_AFTER
from ledger.values import Channel, Outcome

__all__ = ["OPEN", "Answer", "Appeal", "Note", "appeal_id_for"]


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
        self._start(
            channel=Channel(channel),
            external_id=external_id,
            text=text,
            text_key=text_key,
            body=body,
            citizen_id=citizen_id,
            citizen=citizen,
            category=category,
            location=location,
            at=at,
        )
        self.department = department

    # --- mutators: only change state ------------------------------------------------

    @event(Registered)
    def _register(
        self,
        *,
        number: str,
        special_terms: list[str],
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.registration_number = number
        self.special_terms = tuple(special_terms)
        self.registered_at = at
        self.formal = True
        if self.registration_from is None:
            self.registration_from = ("Registered", at)
        self.status = STATUS_AFTER["Registered"]
        self._touch(at, "registration")

    @event(Categorized)
    def _categorize(
        self,
        *,
        category: str,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.category = category
        self._touch(at, "categorization")

    @event(Assigned)
    def _assign(
        self,
        *,
        department: str,
        assignee: str,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.department = department
        self.assignee = assignee
        self.status = STATUS_AFTER["Assigned"]
        self._touch(at, "assignment")

    @event(Forwarded)
    def _forward(
        self,
        *,
        to_body: str,
        reason: str,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.forwarded_to.append(to_body)
        self.body = to_body
        self.department = None
        self.assignee = None
        # The receiving body registers it anew and its own clocks run from that (ст. 8 ч. 2).
        self.forwarded_at = at
        self.registration_from = ("Forwarded", at) if self.formal else None
        self.registration_number = None
        self.registered_at = None
        self.special_terms = ()
        self.extension_days = 0
        self.extended_at = None
        self.extended_due_at = None
        self.reopened_at = None
        self.status = STATUS_AFTER["Forwarded"]
        self._touch(at, "forwarding")

    @event(DeadlineExtended)
    def _extend(
        self,
        *,
        days: int,
        new_due_at: datetime,
        reason: str,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.extension_days = days
        self.extended_at = at
        self.extended_due_at = new_due_at
        self._touch(at, "deadline extension")

    @event(Answered)
    def _answer(
        self,
        *,
        text: str,
        final: bool,
        public: bool,
        text_key: str | None,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        # A public answer to a message from a known page, bot or mailbox goes back there.
        delivery = "delivering" if public and self.source is not None else None
        self.answers.append(Answer(text, final, public, text_key, delivery))
        if self.first_response_at is None:
            self.first_response_at = at
        if final:
            if self.first_judged is None and self.registered_at is not None:
                self.first_judged = self._clocks(at)
            self.answered_at = at
            self.status = STATUS_AFTER["Answered"]
        self._touch(at, "interim answer" if not final else "answer")

    @event(Closed)
    def _close(
        self,
        *,
        outcome: str,
        duplicate_of: UUID | None,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.outcome = Outcome(outcome)
        self.duplicate_of = duplicate_of
        self.closed_at = at
        self.status = STATUS_AFTER["Closed"]
        self._touch(at, "closing")

    @event(Reopened)
    def _reopen(
        self, *, reason: str, actor_id: str, actor_role: str, at: datetime, time_reason: str | None
    ) -> None:
        self.outcome = None
        self.duplicate_of = None
        self.closed_at = None
        self.reopen_count += 1
        # The earlier answer and its rating belong to the closed round; a new answer is due.
        self.answered_at = None
        self.rating = None
        self.reopened_at = at
        self.no_answer_ground = self.no_answer_at = self.notice_sent_at = None
        self.notice_owed = False
        self.status = STATUS_AFTER["Reopened"]
        self._touch(at, "reopening")

    @event(Rated)
    def _rate(
        self, *, score: int, actor_id: str, actor_role: str, at: datetime, time_reason: str | None
    ) -> None:
        self.rating = score
        self._touch(at, "rating")

    @event(PersonalDataErased)
    def _erase(
        self,
        *,
        legal_basis: str,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.erased = True
        self.citizen = None
        self._touch(at, "erasure")

    @event(LeftWithoutAnswer)
    def _leave_without_answer(
        self,
        *,
        ground: str,
        reason: str,
        to_body: str | None,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.no_answer_ground = ground
        self.no_answer_at = at
        self.notice_owed = GROUNDS[NoAnswerGround(ground)].notice is not None
        self._touch(at, "decision to leave without answer")

    @event(NoticeSent)
    def _send_notice(
        self,
        *,
        ground: str,
        reference: str,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.notice_sent_at = at
        self._touch(at, "notice")

    @event(AnswerDelivered)
    def _delivered(
        self,
        *,
        answer: int,
        attempt: int,
        platform_id: str,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.answers[answer] = self.answers[answer]._replace(delivery="delivered")

    @event(DeliveryFailed)
    def _delivery_failed(
        self,
        *,
        answer: int,
        attempt: int,
        error: str,
        final: bool,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        state = "failed" if final else "delivering"
        self.answers[answer] = self.answers[answer]._replace(delivery=state)

    @event(NoteAdded)
    def _add_note(
        self,
        *,
        text: str,
        text_key: str | None,
        actor_id: str,
        actor_role: str,
        at: datetime,
        time_reason: str | None,
    ) -> None:
        self.notes.append(Note(text, text_key, actor_id, actor_role, at))
        self._touch(at, "note")
