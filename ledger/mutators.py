"""The appeal's mutators: each only changes state, from one event's attributes.

``ledger.domain.Appeal`` binds each to its event with ``@event`` (``_register =
event(Registered)(mutators.registered)``): a command of ``ledger.appeal_commands`` checks
its rule and calls ``_register``, which records ``Registered`` and applies it here; replaying
stored events calls the same function, so it never re-checks a rule that held when the event
was recorded. Each takes ``self`` (the library binds the aggregate) and, by keyword, every
attribute of its event.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.appeal_state import Answer, Note
from ledger.article11 import GROUNDS, NoAnswerGround
from ledger.lifecycle import STATUS_AFTER
from ledger.values import Outcome

if TYPE_CHECKING:
    from ledger.domain import Appeal


def registered(
    self: Appeal,
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


def categorized(
    self: Appeal,
    *,
    category: str,
    actor_id: str,
    actor_role: str,
    at: datetime,
    time_reason: str | None,
) -> None:
    self.category = category
    self._touch(at, "categorization")


def assigned(
    self: Appeal,
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


def forwarded(
    self: Appeal,
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


def deadline_extended(
    self: Appeal,
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


def answered(
    self: Appeal,
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


def closed(
    self: Appeal,
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


def reopened(
    self: Appeal,
    *,
    reason: str,
    actor_id: str,
    actor_role: str,
    at: datetime,
    time_reason: str | None,
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


def rated(
    self: Appeal,
    *,
    score: int,
    actor_id: str,
    actor_role: str,
    at: datetime,
    time_reason: str | None,
) -> None:
    self.rating = score
    self._touch(at, "rating")


def personal_data_erased(
    self: Appeal,
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


def left_without_answer(
    self: Appeal,
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


def notice_sent(
    self: Appeal,
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


def answer_delivered(
    self: Appeal,
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


def delivery_failed(
    self: Appeal,
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


def note_added(
    self: Appeal,
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
