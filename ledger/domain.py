"""The Appeal aggregate: one citizen appeal and its lifecycle as immutable events.

Every public command checks its rule and then calls a private ``@event`` method that only
mutates state, so replaying stored events never re-checks rules that held when they were
recorded. A refused command raises a ``LedgerError`` and records nothing.

State machine (``*`` = any status except CLOSED; "open" = RECEIVED, REGISTERED, ASSIGNED,
FORWARDED):

=================  ===============================  ==========================================
command            allowed from                     result
=================  ===============================  ==========================================
receive            (new)                            RECEIVED
register           RECEIVED                         REGISTERED
categorize         *                                status unchanged
assign             open                             ASSIGNED (reassignment allowed)
forward            open                             FORWARDED to another body
extend_deadline    open, registered, not extended,  status unchanged; answer due + 1–30 days
                   before the current answer due
answer (interim)   open                             status unchanged
answer (final)     open                             ANSWERED
close              ANSWERED: any outcome;           CLOSED
                   open: rejected, duplicate,
                   not_competent,
                   no_answer_required
reopen             CLOSED                           ASSIGNED
rate               ANSWERED, CLOSED (after a        status unchanged
                   final answer)
erase_personal     any, once                        status unchanged; citizen data destroyed
=================  ===============================  ==========================================

Every event carries the actor (id and role) and the business time ``at``, which may come
from the source platform; the library adds the recorded ``timestamp``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger import deadlines
from ledger.calendar import ProductionCalendar
from ledger.errors import ExtensionRefusedError, InvalidTransitionError, ValidationError
from ledger.values import FORMAL_CHANNELS, Actor, Channel, Outcome, Status, require_int_range

APPEAL_NAMESPACE = UUID("6f1d6a2e-3b7c-5e4a-9d0b-2a51c0e8b7f3")
OPEN = frozenset({Status.RECEIVED, Status.REGISTERED, Status.ASSIGNED, Status.FORWARDED})
NEEDS_ANSWER = frozenset({Outcome.RESOLVED, Outcome.EXPLAINED})


class Answer(NamedTuple):
    """One answer as the aggregate holds it; ``text`` is sealed under ``text_key`` if set."""

    text: str
    final: bool
    public: bool
    text_key: str | None = None


def appeal_id_for(channel: str, external_id: str) -> UUID:
    """The appeal id is a pure function of where the message came from."""
    return uuid5(APPEAL_NAMESPACE, f"{channel}\x1f{external_id}")


class Appeal(Aggregate):
    """A citizen appeal; its state is derived only from its events."""

    TOPIC = "appeals:Appeal"

    class Event(Aggregate.Event):
        """Base of every appeal event: who did it and when it happened in the world."""

        actor_id: str
        actor_role: str
        at: datetime

    class Received(Event, Aggregate.Created):
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

    Created = Received

    class Registered(Event):
        """The appeal was registered as a formal appeal under 59-ФЗ."""

        TOPIC = "appeals:Appeal.Registered"
        number: str

    class Categorized(Event):
        """The appeal's category was set."""

        TOPIC = "appeals:Appeal.Categorized"
        category: str

    class Assigned(Event):
        """A department and an assignee took the appeal."""

        TOPIC = "appeals:Appeal.Assigned"
        department: str
        assignee: str

    class Forwarded(Event):
        """The appeal went to the competent body; the citizen is notified with the reason."""

        TOPIC = "appeals:Appeal.Forwarded"
        to_body: str
        reason: str

    class DeadlineExtended(Event):
        """The answer deadline was extended once, with a reason noticed to the citizen."""

        TOPIC = "appeals:Appeal.DeadlineExtended"
        days: int
        new_due_at: datetime
        reason: str

    class Answered(Event):
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

    class Closed(Event):
        """The appeal was closed with an outcome; duplicates point to the original."""

        TOPIC = "appeals:Appeal.Closed"
        outcome: str
        duplicate_of: UUID | None

    class Reopened(Event):
        """A closed appeal was reopened and returns to work."""

        TOPIC = "appeals:Appeal.Reopened"
        reason: str

    class Rated(Event):
        """The citizen rated the answer from 1 to 5."""

        TOPIC = "appeals:Appeal.Rated"
        score: int

    class PersonalDataErased(Event):
        """The citizen's key was destroyed; sealed data now reads as erased."""

        TOPIC = "appeals:Appeal.PersonalDataErased"
        legal_basis: str

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
        text_key: str | None,
    ) -> None:
        self.channel = Channel(channel)
        self.external_id = external_id
        self.text = text
        self.text_key = text_key
        self.body = body
        self.citizen_id = citizen_id
        self.citizen = citizen
        self.category = category
        self.location = location
        self.status = Status.RECEIVED
        self.received_at = at
        self.last_at = at
        self.registration_number: str | None = None
        self.registered_at: datetime | None = None
        self.department: str | None = None
        self.assignee: str | None = None
        self.forwarded_to: list[str] = []
        self.extension_days = 0
        self.extended_at: datetime | None = None
        self.extended_due_at: datetime | None = None
        self.first_response_at: datetime | None = None
        self.answered_at: datetime | None = None
        self.answers: list[Answer] = []
        self.outcome: Outcome | None = None
        self.duplicate_of: UUID | None = None
        self.closed_at: datetime | None = None
        self.reopen_count = 0
        self.rating: int | None = None
        self.erased = False

    # --- commands: check the rule, then record ---------------------------------------

    def register(self, *, number: str, actor: Actor, at: datetime) -> None:
        """Register the appeal under its registration number."""
        self._check("register", at, Status.RECEIVED)
        self._register(number=number, **_who(actor, at))

    def categorize(self, *, category: str, actor: Actor, at: datetime) -> None:
        """Set or change the appeal's category."""
        self._check("categorize", at, *OPEN, Status.ANSWERED)
        self._categorize(category=category, **_who(actor, at))

    def assign(self, *, department: str, assignee: str, actor: Actor, at: datetime) -> None:
        """Give the appeal to a department and an assignee, or reassign it."""
        self._check("assign", at, *OPEN)
        self._assign(department=department, assignee=assignee, **_who(actor, at))

    def forward(self, *, to_body: str, reason: str, actor: Actor, at: datetime) -> None:
        """Send the appeal to the competent body."""
        self._check("forward", at, *OPEN)
        if to_body == self.body:
            raise ValidationError(field="toBody", reason="is already the appeal's body")
        self._forward(to_body=to_body, reason=reason, **_who(actor, at))

    def extend_deadline(
        self,
        *,
        days: int,
        reason: str,
        actor: Actor,
        at: datetime,
        norms: deadlines.Norms,
        calendar: ProductionCalendar,
    ) -> None:
        """Extend the answer deadline once, by 1 to ``norms.max_extension_days`` days."""
        self._check("extend_deadline", at, *OPEN)
        require_int_range(days, "days", 1, norms.max_extension_days)
        refusal = self._extension_refusal(at, norms, calendar)
        if refusal:
            raise ExtensionRefusedError(
                appeal_id=self.id,
                status=self.status.value,
                action="extend_deadline",
                reason=refusal,
            )
        assert self.registered_at is not None
        new_due = deadlines.answer_due(self.registered_at, days, at, norms, calendar)
        self._extend(days=days, new_due_at=new_due.due_at, reason=reason, **_who(actor, at))

    def answer(
        self,
        *,
        text: str,
        final: bool,
        public: bool,
        actor: Actor,
        at: datetime,
        text_key: str | None = None,
    ) -> None:
        """Answer the citizen; a final answer moves the appeal to ANSWERED.

        ``text`` is sealed under ``text_key`` by the application (``None``: in clear).
        """
        self._check("answer", at, *OPEN)
        self._answer(text=text, final=final, public=public, text_key=text_key, **_who(actor, at))

    def close(
        self, *, outcome: Outcome, duplicate_of: UUID | None, actor: Actor, at: datetime
    ) -> None:
        """Close the appeal with an outcome; resolved/explained need a final answer first."""
        allowed = (Status.ANSWERED,) if outcome in NEEDS_ANSWER else (*OPEN, Status.ANSWERED)
        self._check("close", at, *allowed, outcome=outcome.value)
        if (outcome is Outcome.DUPLICATE) != (duplicate_of is not None):
            raise ValidationError(
                field="duplicateOf", reason="is required exactly when the outcome is duplicate"
            )
        if duplicate_of == self.id:
            raise ValidationError(field="duplicateOf", reason="must be another appeal")
        self._close(outcome=outcome.value, duplicate_of=duplicate_of, **_who(actor, at))

    def reopen(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """Return a closed appeal to work."""
        self._check("reopen", at, Status.CLOSED)
        self._reopen(reason=reason, **_who(actor, at))

    def rate(self, *, score: int, actor: Actor, at: datetime) -> None:
        """Record the citizen's rating of the answer."""
        self._check("rate", at, Status.ANSWERED, Status.CLOSED)
        if self.answered_at is None:
            raise InvalidTransitionError(
                appeal_id=self.id, status=self.status.value, action="rate", reason="no_answer"
            )
        require_int_range(score, "score", 1, 5)
        self._rate(score=score, **_who(actor, at))

    def erase_personal_data(self, *, legal_basis: str, actor: Actor, at: datetime) -> None:
        """Record that the citizen's data was destroyed (the key is shredded elsewhere)."""
        self._check("erase_personal_data", at, *Status)
        if self.erased:
            raise InvalidTransitionError(
                appeal_id=self.id,
                status=self.status.value,
                action="erase_personal_data",
                reason="already_erased",
            )
        self._erase(legal_basis=legal_basis, **_who(actor, at))

    # --- derived -------------------------------------------------------------------

    def due_dates(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> list[deadlines.DueDate]:
        """Every due date that applies to this appeal, each able to explain itself."""
        dues: list[deadlines.DueDate] = []
        first = deadlines.first_response_due(self.channel.value, self.received_at, norms, calendar)
        if first is not None:
            dues.append(first)
        if self.channel in FORMAL_CHANNELS or self.registered_at is not None:
            dues.append(deadlines.registration_due(self.received_at, norms, calendar))
        if self.registered_at is not None:
            dues.append(deadlines.forwarding_due(self.registered_at, norms, calendar))
            answer = deadlines.answer_due(
                self.registered_at, self.extension_days, self.extended_at, norms, calendar
            )
            if self.extended_due_at is not None:
                # The recorded due date wins: a later change of norms must not move it.
                answer = replace(answer, due_at=self.extended_due_at)
            dues.append(answer)
        return dues

    # --- rules ----------------------------------------------------------------------

    def _check(self, action: str, at: datetime, *allowed: Status, **context: Any) -> None:
        if self.status not in allowed:
            raise InvalidTransitionError(
                appeal_id=self.id, status=self.status.value, action=action, **context
            )
        if at < self.received_at:
            raise ValidationError(field="at", reason="precedes the appeal's receipt")

    def _extension_refusal(
        self, at: datetime, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> str | None:
        if self.registered_at is None:
            return "not_registered"
        if self.extension_days:
            return "already_extended"
        due = deadlines.answer_due(self.registered_at, 0, None, norms, calendar)
        if at >= due.due_at:
            return "deadline_passed"
        return None

    # --- mutators: only change state ------------------------------------------------

    @event(Registered)
    def _register(self, *, number: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.registration_number = number
        self.registered_at = at
        self.status = Status.REGISTERED
        self.last_at = at

    @event(Categorized)
    def _categorize(self, *, category: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.category = category
        self.last_at = at

    @event(Assigned)
    def _assign(
        self, *, department: str, assignee: str, actor_id: str, actor_role: str, at: datetime
    ) -> None:
        self.department = department
        self.assignee = assignee
        self.status = Status.ASSIGNED
        self.last_at = at

    @event(Forwarded)
    def _forward(
        self, *, to_body: str, reason: str, actor_id: str, actor_role: str, at: datetime
    ) -> None:
        self.forwarded_to.append(to_body)
        self.body = to_body
        self.department = None
        self.assignee = None
        self.status = Status.FORWARDED
        self.last_at = at

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
    ) -> None:
        self.extension_days = days
        self.extended_at = at
        self.extended_due_at = new_due_at
        self.last_at = at

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
    ) -> None:
        self.answers.append(Answer(text, final, public, text_key))
        if self.first_response_at is None:
            self.first_response_at = at
        if final:
            self.answered_at = at
            self.status = Status.ANSWERED
        self.last_at = at

    @event(Closed)
    def _close(
        self,
        *,
        outcome: str,
        duplicate_of: UUID | None,
        actor_id: str,
        actor_role: str,
        at: datetime,
    ) -> None:
        self.outcome = Outcome(outcome)
        self.duplicate_of = duplicate_of
        self.closed_at = at
        self.status = Status.CLOSED
        self.last_at = at

    @event(Reopened)
    def _reopen(self, *, reason: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.outcome = None
        self.duplicate_of = None
        self.closed_at = None
        self.reopen_count += 1
        self.status = Status.ASSIGNED
        self.last_at = at

    @event(Rated)
    def _rate(self, *, score: int, actor_id: str, actor_role: str, at: datetime) -> None:
        self.rating = score
        self.last_at = at

    @event(PersonalDataErased)
    def _erase(self, *, legal_basis: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.erased = True
        self.citizen = None
        self.last_at = at


def _who(actor: Actor, at: datetime) -> dict[str, Any]:
    return {"actor_id": actor.id, "actor_role": actor.role.value, "at": at}
