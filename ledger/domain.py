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
register           open, while not registered       REGISTERED; registration and answer clocks
                   (also after a forward or a       run from it (ст. 8 ч. 2, ст. 12 ч. 1)
                   reopen)
categorize         *                                status unchanged
assign             open                             ASSIGNED (reassignment allowed)
forward            open                             FORWARDED to another body, which must
                                                    register it anew (ст. 8 ч. 2–3): the
                                                    registration, extension and answer clocks
                                                    of the first body end
extend_deadline    open, registered, not extended,  status unchanged; answer due + 1–30 days
                   not reopened, before the         (ст. 12 ч. 2)
                   current answer due
answer (interim)   open                             status unchanged
answer (final)     open                             ANSWERED
close              ANSWERED: any outcome;           CLOSED
                   open: rejected, duplicate,
                   no_answer_required (a formal
                   appeal only once registered,
                   ст. 8 ч. 2); FORWARDED:
                   not_competent (ст. 8 ч. 3)
reopen             CLOSED                           ASSIGNED; the answer and the rating are
                                                    cleared and a new answer period runs from
                                                    the reopen (see ``deadlines``)
rate               ANSWERED, CLOSED (after a        status unchanged
                   final answer)
erase_personal     any, once                        status unchanged; citizen data destroyed
=================  ===============================  ==========================================

A formal appeal is one received through a formal channel or registered at some point.
No command may be dated before the appeal's last event (``at`` precedes … is refused).

Every event carries the actor (id and role) and the business time ``at``, which may come
from the source platform; the library adds the recorded ``timestamp``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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


class Note(NamedTuple):
    """An internal note staff keep on an appeal; ``text`` is sealed under ``text_key`` if set."""

    text: str
    text_key: str | None
    actor_id: str
    actor_role: str
    at: datetime


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

    class NoteAdded(Event):
        """Staff noted something on the appeal for staff only; never shown to the citizen."""

        TOPIC = "appeals:Appeal.NoteAdded"
        text: str
        text_key: str | None

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
        self.reopened_at: datetime | None = None
        self.forwarded_at: datetime | None = None
        self.formal = self.channel in FORMAL_CHANNELS
        # What the registration clock counts from: a formal channel's receipt; the forwarding
        # of a formal appeal (receipt by the new body); or, for a social-media message, its
        # registration, which records the office's decision that it is a formal appeal.
        self.registration_from: tuple[str, datetime] | None = (
            ("Received", at) if self.formal else None
        )
        # The first final answer given under an answer due date, with the clocks it was given
        # under (ст. 12 ч. 1): a later answer after a reopen never rewrites its verdict.
        self.first_judged: _Clocks | None = None
        self.last_event = "receipt"
        self.rating: int | None = None
        self.erased = False
        self.notes: list[Note] = []

    # --- commands: check the rule, then record ---------------------------------------

    def register(self, *, number: str, actor: Actor, at: datetime) -> None:
        """Register the appeal under its registration number."""
        self._check("register", at, *OPEN)
        if self.registered_at is not None:
            raise InvalidTransitionError(
                appeal_id=self.id,
                status=self.status.value,
                action="register",
                reason="already_registered",
            )
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
        if outcome in NEEDS_ANSWER:
            allowed: tuple[Status, ...] = (Status.ANSWERED,)
        elif outcome is Outcome.NOT_COMPETENT:
            # ст. 8 ч. 3: an appeal outside the competence is forwarded, not just closed.
            allowed = (Status.FORWARDED, Status.ANSWERED)
        else:
            allowed = (*OPEN, Status.ANSWERED)
        hint = {"reason": "forward_it_instead"} if outcome is Outcome.NOT_COMPETENT else {}
        self._check("close", at, *allowed, outcome=outcome.value, **hint)
        if (
            outcome is not Outcome.NOT_COMPETENT
            and self.status is not Status.ANSWERED
            and self.formal
            and self.registered_at is None
        ):
            # ст. 8 ч. 2: a formal appeal is registered before anything is decided about it.
            raise InvalidTransitionError(
                appeal_id=self.id,
                status=self.status.value,
                action="close",
                outcome=outcome.value,
                reason="not_registered",
            )
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

    def add_note(self, *, text: str, text_key: str | None, actor: Actor, at: datetime) -> None:
        """Keep an internal note, in any status (``text`` sealed under ``text_key`` if set).

        A note is not a step of the procedure: it never moves a clock, and a note dated
        before the appeal's last event is refused like any other command.
        """
        self._check("add_note", at, *Status)
        self._add_note(text=text, text_key=text_key, **_who(actor, at))

    # --- derived -------------------------------------------------------------------

    def due_dates(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> list[deadlines.DueDate]:
        """Every due date that applies to this appeal, each able to explain itself."""
        dues: list[deadlines.DueDate] = []
        first = deadlines.first_response_due(self.channel.value, self.received_at, norms, calendar)
        if first is not None:
            dues.append(first)
        registration = self._registration_due(norms, calendar)
        if registration is not None:
            dues.append(registration)
        if self.registered_at is not None:
            dues.append(deadlines.forwarding_due(self.registered_at, norms, calendar))
            answer = self._clocks(self.last_at).answer_due(norms, calendar)
            if answer is not None:
                dues.append(answer)
        return dues

    def first_answer_on_time(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> bool | None:
        """Whether the first final answer given under an answer due date beat that due date."""
        if self.first_judged is None:
            return None
        due = self.first_judged.answer_due(norms, calendar)
        return due is not None and self.first_judged.at < due.due_at

    def _clocks(self, at: datetime) -> _Clocks:
        return _Clocks(
            at,
            self.registered_at,
            self.extension_days,
            self.extended_at,
            self.extended_due_at,
            self.reopened_at,
        )

    def _registration_due(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> deadlines.DueDate | None:
        if self.registration_from is None:
            return None
        counted_from, at = self.registration_from
        return deadlines.registration_due(at, norms, calendar, counted_from=counted_from)

    # --- rules ----------------------------------------------------------------------

    def _check(self, action: str, at: datetime, *allowed: Status, **context: Any) -> None:
        if self.status not in allowed:
            raise InvalidTransitionError(
                appeal_id=self.id, status=self.status.value, action=action, **context
            )
        if at < self.last_at:
            raise ValidationError(
                field="at",
                reason=(
                    f"{at.isoformat()} precedes the appeal's {self.last_event} "
                    f"at {self.last_at.isoformat()}"
                ),
            )

    def _extension_refusal(
        self, at: datetime, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> str | None:
        if self.registered_at is None:
            return "not_registered"
        if self.extension_days:
            return "already_extended"
        if self.reopened_at is not None:
            return "reopened"
        due = deadlines.answer_due(self.registered_at, 0, None, norms, calendar)
        if at >= due.due_at:
            return "deadline_passed"
        return None

    # --- mutators: only change state ------------------------------------------------

    @event(Registered)
    def _register(self, *, number: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.registration_number = number
        self.registered_at = at
        self.formal = True
        if self.registration_from is None:
            self.registration_from = ("Registered", at)
        self.status = Status.REGISTERED
        self._touch(at, "registration")

    @event(Categorized)
    def _categorize(self, *, category: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.category = category
        self._touch(at, "categorization")

    @event(Assigned)
    def _assign(
        self, *, department: str, assignee: str, actor_id: str, actor_role: str, at: datetime
    ) -> None:
        self.department = department
        self.assignee = assignee
        self.status = Status.ASSIGNED
        self._touch(at, "assignment")

    @event(Forwarded)
    def _forward(
        self, *, to_body: str, reason: str, actor_id: str, actor_role: str, at: datetime
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
        self.extension_days = 0
        self.extended_at = None
        self.extended_due_at = None
        self.reopened_at = None
        self.status = Status.FORWARDED
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
    ) -> None:
        self.answers.append(Answer(text, final, public, text_key))
        if self.first_response_at is None:
            self.first_response_at = at
        if final:
            if self.first_judged is None and self.registered_at is not None:
                self.first_judged = self._clocks(at)
            self.answered_at = at
            self.status = Status.ANSWERED
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
    ) -> None:
        self.outcome = Outcome(outcome)
        self.duplicate_of = duplicate_of
        self.closed_at = at
        self.status = Status.CLOSED
        self._touch(at, "closing")

    @event(Reopened)
    def _reopen(self, *, reason: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.outcome = None
        self.duplicate_of = None
        self.closed_at = None
        self.reopen_count += 1
        # The earlier answer and its rating belong to the closed round; a new answer is due.
        self.answered_at = None
        self.rating = None
        self.reopened_at = at
        self.status = Status.ASSIGNED
        self._touch(at, "reopening")

    @event(Rated)
    def _rate(self, *, score: int, actor_id: str, actor_role: str, at: datetime) -> None:
        self.rating = score
        self._touch(at, "rating")

    @event(PersonalDataErased)
    def _erase(self, *, legal_basis: str, actor_id: str, actor_role: str, at: datetime) -> None:
        self.erased = True
        self.citizen = None
        self._touch(at, "erasure")

    @event(NoteAdded)
    def _add_note(
        self, *, text: str, text_key: str | None, actor_id: str, actor_role: str, at: datetime
    ) -> None:
        self.notes.append(Note(text, text_key, actor_id, actor_role, at))
        self._touch(at, "note")

    def _touch(self, at: datetime, what: str) -> None:
        self.last_at = at
        self.last_event = what


@dataclass(frozen=True, slots=True)
class _Clocks:
    """What the answer due date rests on at one moment."""

    at: datetime
    registered_at: datetime | None
    extension_days: int
    extended_at: datetime | None
    extended_due_at: datetime | None
    reopened_at: datetime | None

    def answer_due(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> deadlines.DueDate | None:
        if self.registered_at is None:
            return None
        if self.reopened_at is not None and self.reopened_at > self.registered_at:
            return deadlines.reopened_answer_due(self.reopened_at, norms, calendar)
        answer = deadlines.answer_due(
            self.registered_at, self.extension_days, self.extended_at, norms, calendar
        )
        if self.extended_due_at is not None:
            # The recorded due date wins: a later change of norms must not move it.
            answer = replace(answer, due_at=self.extended_due_at)
        return answer


def _who(actor: Actor, at: datetime) -> dict[str, Any]:
    return {"actor_id": actor.id, "actor_role": actor.role.value, "at": at}
