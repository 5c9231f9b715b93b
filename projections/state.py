"""An appeal's current state as the read side folds it from events (no free text)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from ledger import deadlines
from ledger.article11 import GROUNDS, NoAnswerGround
from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from ledger.domain import Appeal
from ledger.lifecycle import STATUS_AFTER
from ledger.values import FORMAL_CHANNELS, Channel, Outcome
from projections.appeal_state import AppealState
from projections.decoding import Fields

Data = Mapping[str, Any]
Change = Callable[[AppealState, Data], None]

DECODED: dict[type[Any], tuple[str, ...]] = {
    Appeal.Received: ("at",),
    Appeal.Registered: ("at",),
    Appeal.DeadlineExtended: ("new_due_at",),
    Appeal.Forwarded: ("at",),
    Appeal.Answered: ("at",),
    Appeal.Closed: ("at", "duplicate_of"),
    Appeal.Reopened: ("at",),
}
"""The transcoded attributes the fold reads, per event class (see ``EventDecoder.fields``)."""


class Folder:
    """Applies appeal events to states; due dates come from the same rules as the ledger."""

    def __init__(self, norms: Norms, calendar: ProductionCalendar) -> None:
        self.norms = norms
        self.calendar = calendar
        self._changes: dict[type[Any], Change] = {
            **_CHANGES,
            Appeal.Registered: self._registered,
            Appeal.Forwarded: self._forwarded,
            Appeal.Reopened: self._reopened,
            Appeal.LeftWithoutAnswer: self._left_without_answer,
        }

    def warm_up(self, today: date) -> None:
        """Build this year's production calendar now (~0.1 s) rather than on the first event."""
        self.calendar.is_working_day(today)
        deadlines.first_response_due_at(
            "vk", datetime.combine(today, datetime.min.time(), UTC), self.norms, self.calendar
        )

    def start(self, appeal_id: UUID, received: Fields, version: int, position: int) -> AppealState:
        """The state an appeal has right after it was received (``received``: its attributes)."""
        data = received[1]
        channel = Channel(data["channel"])
        at: datetime = data["at"]
        return AppealState(
            id=appeal_id,
            channel=channel,
            external_id=data["external_id"],
            status=STATUS_AFTER["Received"],
            category=data["category"],
            body=data["body"],
            department=data.get("department"),
            assignee=None,
            citizen_id=data["citizen_id"],
            received_at=at,
            location=data.get("location"),
            registration_due_at=(
                deadlines.registration_due(at, self.norms, self.calendar).due_at
                if channel in FORMAL_CHANNELS
                else None
            ),
            first_response_due_at=deadlines.first_response_due_at(
                channel.value, at, self.norms, self.calendar
            ),
            version=version,
            last_position=position,
            source=data.get("source"),
        )

    def apply(self, state: AppealState, event: Fields, version: int, position: int) -> None:
        """Mutate ``state`` by one later event of the same appeal (other events are ignored)."""
        kind, data = event
        change = self._changes.get(kind)
        if change is None:
            if not issubclass(kind, Appeal.Event):
                return
            change = self._changes[kind] = _unchanged
        change(state, data)
        state.version = version
        state.last_position = position

    def _registered(self, state: AppealState, data: Data) -> None:
        at = data["at"]
        state.registered_at = at
        state.registration_number = data["number"]
        state.status = STATUS_AFTER["Registered"]
        if state.registration_due_at is None:
            # A social-media message: the registration records the decision it is an appeal.
            state.registration_due_at = deadlines.registration_due(
                at, self.norms, self.calendar, counted_from="Registered"
            ).due_at
        terms = data["special_terms"]
        state.forwarding_due_at = deadlines.forwarding_due(
            at, self.norms, self.calendar, special_terms=terms
        ).due_at
        state.answer_due_at = deadlines.answer_due(
            at, 0, None, self.norms, self.calendar, special_terms=terms
        ).due_at

    def _forwarded(self, state: AppealState, data: Data) -> None:
        at = data["at"]
        state.forwarded_from, state.forward_reason = state.body, data["reason"]
        state.body = data["to_body"]
        state.body_received_at = at
        state.department = None
        state.assignee = None
        state.status = STATUS_AFTER["Forwarded"]
        # The receiving body registers it anew (ст. 8 ч. 2); a formal appeal (one that had a
        # registration clock) gets one counted from the forwarding, as in Appeal.due_dates.
        if state.registration_due_at is not None:
            state.registration_due_at = deadlines.registration_due(
                at, self.norms, self.calendar, counted_from="Forwarded"
            ).due_at
        state.registered_at = state.registration_number = None
        state.forwarding_due_at = state.answer_due_at = None
        state.extended = False
        state.extension_reason = None

    def _reopened(self, state: AppealState, data: Data) -> None:
        state.outcome = None
        state.duplicate_of = None
        state.closed_at = None
        state.answered_at = None
        state.rating = None
        state.reopen_count += 1
        state.awaits_notice = False
        state.status = STATUS_AFTER["Reopened"]
        if state.registered_at is not None:
            state.answer_due_at = deadlines.reopened_answer_due(
                data["at"], self.norms, self.calendar
            ).due_at

    def _left_without_answer(self, state: AppealState, data: Data) -> None:
        # ст. 11: the reply the appeal awaits is the notice, if its ground sets it a term.
        ground = GROUNDS[NoAnswerGround(data["ground"])]
        state.answer_due_at = None
        if state.registered_at is not None and ground.notice and ground.notice_days:
            state.answer_due_at = deadlines.notice_due(
                state.registered_at,
                ground.notice_days,
                ground.article,
                ground.notice,
                self.calendar,
            ).due_at
        state.awaits_notice = state.answer_due_at is not None


def _categorized(state: AppealState, data: Data) -> None:
    state.category = data["category"]


def _assigned(state: AppealState, data: Data) -> None:
    state.department = data["department"]
    state.assignee = data["assignee"]
    state.status = STATUS_AFTER["Assigned"]


def _deadline_extended(state: AppealState, data: Data) -> None:
    # The recorded due date wins, exactly as in Appeal.due_dates.
    state.answer_due_at = data["new_due_at"]
    state.extended = True
    state.extension_reason = data["reason"]


def _answered(state: AppealState, data: Data) -> None:
    at = data["at"]
    if state.first_response_at is None:
        state.first_response_at = at
    if data["public"] and state.published_at is None:
        state.published_at = at
    if data["final"]:
        if state.answered_on_time is None and state.answer_due_at is not None:
            # Only the first final answer under a due date is judged; a re-answer is not.
            state.answered_on_time = at < state.answer_due_at
        state.answered_at = at
        state.status = STATUS_AFTER["Answered"]


def _closed(state: AppealState, data: Data) -> None:
    state.outcome = Outcome(data["outcome"])
    state.duplicate_of = data["duplicate_of"]
    state.closed_at = data["at"]
    state.status = STATUS_AFTER["Closed"]


def _rated(state: AppealState, data: Data) -> None:
    state.rating = data["score"]


def _unchanged(state: AppealState, data: Data) -> None:
    """PersonalDataErased changes nothing the views hold: they keep no personal data."""


def _notice_sent(state: AppealState, data: Data) -> None:
    state.answer_due_at = None  # the notice met the last obligation under ст. 11
    state.awaits_notice = False


_CHANGES: dict[type[Any], Change] = {
    Appeal.NoticeSent: _notice_sent,
    Appeal.Categorized: _categorized,
    Appeal.Assigned: _assigned,
    Appeal.DeadlineExtended: _deadline_extended,
    Appeal.Answered: _answered,
    Appeal.Closed: _closed,
    Appeal.Rated: _rated,
}
