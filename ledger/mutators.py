"""The appeal's mutators: each only changes state, from one event's attributes.

``ledger.domain.Appeal`` binds each to its event with ``@event`` (``_register =
event(Registered)(mutators.registered)``): a command of ``ledger.appeal_commands`` checks
its rule and calls ``_register``, which records ``Registered`` and applies it here; replaying
stored events calls the same function, so it never re-checks a rule that held when the event
was recorded. Each takes ``self`` (the library binds the aggregate) and, by keyword, the
attributes of its event it reads; ``@mutates`` declares that it takes them all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from ledger import events
from ledger.appeal_state import Answer, Note
from ledger.article11 import GROUNDS, NoAnswerGround
from ledger.lifecycle import STATUS_AFTER
from ledger.values import Outcome

if TYPE_CHECKING:
    from ledger.domain import Appeal

Mutator = TypeVar("Mutator", bound=Callable[..., None])

# The event constructor's parameters a mutator is never given: what the library sets on
# every event (its aggregate, version and recorded time).
_ENVELOPE = frozenset({"self", "originator_id", "originator_version", "timestamp"})


def mutates(event_class: type[events.AppealEvent]) -> Callable[[Mutator], Mutator]:
    """Declare that the mutator takes every attribute of ``event_class`` by keyword.

    The library calls a mutator with the attributes its signature names, and its ``@event``
    refuses a command that passes one the signature does not name. A mutator names only the
    attributes it reads and gathers the rest (the actor and ``time_reason`` every event
    carries, ``ledger.events.AppealEvent``) in ``**_``; its ``__signature__`` names them all.
    """
    fields = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=field.annotation)
        for name, field in inspect.signature(event_class).parameters.items()
        if name not in _ENVELOPE
    ]

    def declare(mutator: Mutator) -> Mutator:
        own = inspect.signature(mutator).parameters
        named = {name for name, p in own.items() if p.kind is p.KEYWORD_ONLY}
        carried = {field.name for field in fields}
        gathers = any(p.kind is p.VAR_KEYWORD for p in own.values())
        if not named <= carried or not (gathers or named == carried):
            msg = f"{mutator.__name__}() must take attributes of {event_class.__name__}, or **_"
            raise TypeError(msg)
        declared: Any = mutator
        declared.__signature__ = inspect.Signature([own["self"], *fields])
        return mutator

    return declare


@mutates(events.Registered)
def registered(
    self: Appeal,
    *,
    number: str,
    special_terms: list[str],
    at: datetime,
    **_: object,
) -> None:
    self.registration_number = number
    self.special_terms = tuple(special_terms)
    self.registered_at = at
    self.formal = True
    if self.registration_from is None:
        self.registration_from = ("Registered", at)
    self.status = STATUS_AFTER["Registered"]
    self._touch(at, "registration")


@mutates(events.Categorized)
def categorized(self: Appeal, *, category: str, at: datetime, **_: object) -> None:
    self.category = category
    self._touch(at, "categorization")


@mutates(events.Assigned)
def assigned(self: Appeal, *, department: str, assignee: str, at: datetime, **_: object) -> None:
    self.department = department
    self.assignee = assignee
    self.status = STATUS_AFTER["Assigned"]
    self._touch(at, "assignment")


@mutates(events.Forwarded)
def forwarded(self: Appeal, *, to_body: str, at: datetime, **_: object) -> None:
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


@mutates(events.DeadlineExtended)
def deadline_extended(
    self: Appeal,
    *,
    days: int,
    new_due_at: datetime,
    at: datetime,
    **_: object,
) -> None:
    self.extension_days = days
    self.extended_at = at
    self.extended_due_at = new_due_at
    self._touch(at, "deadline extension")


@mutates(events.Answered)
def answered(
    self: Appeal,
    *,
    text: str,
    final: bool,
    public: bool,
    text_key: str | None,
    at: datetime,
    **_: object,
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


@mutates(events.Closed)
def closed(
    self: Appeal,
    *,
    outcome: str,
    duplicate_of: UUID | None,
    at: datetime,
    **_: object,
) -> None:
    self.outcome = Outcome(outcome)
    self.duplicate_of = duplicate_of
    self.closed_at = at
    self.status = STATUS_AFTER["Closed"]
    self._touch(at, "closing")


@mutates(events.Reopened)
def reopened(self: Appeal, *, at: datetime, **_: object) -> None:
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


@mutates(events.Rated)
def rated(self: Appeal, *, score: int, at: datetime, **_: object) -> None:
    self.rating = score
    self._touch(at, "rating")


@mutates(events.PersonalDataErased)
def personal_data_erased(self: Appeal, *, at: datetime, **_: object) -> None:
    self.erased = True
    self.citizen = None
    self._touch(at, "erasure")


@mutates(events.LeftWithoutAnswer)
def left_without_answer(self: Appeal, *, ground: str, at: datetime, **_: object) -> None:
    self.no_answer_ground = ground
    self.no_answer_at = at
    self.notice_owed = GROUNDS[NoAnswerGround(ground)].notice is not None
    self._touch(at, "decision to leave without answer")


@mutates(events.NoticeSent)
def notice_sent(self: Appeal, *, at: datetime, **_: object) -> None:
    self.notice_sent_at = at
    self._touch(at, "notice")


@mutates(events.AnswerDelivered)
def answer_delivered(self: Appeal, *, answer: int, **_: object) -> None:
    self.answers[answer] = self.answers[answer]._replace(delivery="delivered")


@mutates(events.DeliveryFailed)
def delivery_failed(self: Appeal, *, answer: int, final: bool, **_: object) -> None:
    state = "failed" if final else "delivering"
    self.answers[answer] = self.answers[answer]._replace(delivery=state)


@mutates(events.NoteAdded)
def note_added(
    self: Appeal,
    *,
    text: str,
    text_key: str | None,
    actor_id: str,
    actor_role: str,
    at: datetime,
    **_: object,
) -> None:
    self.notes.append(Note(text, text_key, actor_id, actor_role, at))
    self._touch(at, "note")
