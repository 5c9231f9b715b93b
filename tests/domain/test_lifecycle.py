"""The Appeal state machine, cell by cell, against the table in ``ledger.lifecycle``'s docstring.

Each (state × command) cell is either allowed, in which case the documented state change
happens and exactly one event of the documented class is recorded, or refused, in which case
an ``InvalidTransitionError`` names the appeal, its status and the action, and nothing is
recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast
from uuid import UUID

import pytest

from ledger.application import AppealsLedger
from ledger.calendar import ProductionCalendar
from ledger.deadlines import DueKind, Norms
from ledger.domain import Appeal
from ledger.errors import (
    ExtensionRefusedError,
    InvalidTransitionError,
    LedgerError,
    ValidationError,
)
from ledger.values import Actor, Outcome, Role, Status

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory

NORMS = Norms()
CALENDAR = ProductionCalendar()
SUPERVISOR = Actor(id="supervisor-7", role=Role.SUPERVISOR)
OTHER_APPEAL = UUID("00000000-0000-4000-8000-000000000001")

# The conftest factory receives every appeal at 2025-03-03 07:00 UTC (10:00 Moscow) and
# registers it an hour later; commands under test act one day after receipt.
REGISTERED_AT = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
COMMAND_AT = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
# 59-ФЗ ст. 12: 30 days from the registration's Moscow date, 2025-03-03, end at the start of
# 2025-04-03 Moscow; a 10-day extension moves that to the start of 2025-04-13 Moscow.
ANSWER_DUE = datetime(2025, 4, 2, 21, 0, tzinfo=UTC)
EXTENDED_DUE = datetime(2025, 4, 12, 21, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Command:
    """One command of the table: how to issue it and what it documents when allowed."""

    action: str
    event: type[Appeal.Event]
    status: Status | None  # the status afterwards; None when the command leaves it unchanged
    issue: Callable[[Appeal, datetime], None]
    observe: Callable[[Appeal], object]
    expected: object


def _close_with(outcome: Outcome, duplicate_of: UUID | None = None) -> Command:
    return Command(
        action="close",
        event=Appeal.Closed,
        status=Status.CLOSED,
        issue=lambda a, at: a.close(
            outcome=outcome, duplicate_of=duplicate_of, actor=SUPERVISOR, at=at
        ),
        observe=lambda a: (a.outcome, a.duplicate_of, a.closed_at),
        expected=(outcome, duplicate_of, COMMAND_AT),
    )


COMMANDS: dict[str, Command] = {
    "register": Command(
        action="register",
        event=Appeal.Registered,
        status=Status.REGISTERED,
        issue=lambda a, at: a.register(number="R-77", actor=SUPERVISOR, at=at),
        observe=lambda a: (a.registration_number, a.registered_at),
        expected=("R-77", COMMAND_AT),
    ),
    "categorize": Command(
        action="categorize",
        event=Appeal.Categorized,
        status=None,
        issue=lambda a, at: a.categorize(category="lighting", actor=SUPERVISOR, at=at),
        observe=lambda a: a.category,
        expected="lighting",
    ),
    "assign": Command(
        action="assign",
        event=Appeal.Assigned,
        status=Status.ASSIGNED,
        issue=lambda a, at: a.assign(
            department="energy", assignee="sidorova", actor=SUPERVISOR, at=at
        ),
        observe=lambda a: (a.department, a.assignee),
        expected=("energy", "sidorova"),
    ),
    "forward": Command(
        action="forward",
        event=Appeal.Forwarded,
        status=Status.FORWARDED,
        issue=lambda a, at: a.forward(
            to_body="ministry-of-energy", reason="Competence.", actor=SUPERVISOR, at=at
        ),
        observe=lambda a: (a.body, a.forwarded_to[-1], a.department, a.assignee),
        expected=("ministry-of-energy", "ministry-of-energy", None, None),
    ),
    "extend_deadline": Command(
        action="extend_deadline",
        event=Appeal.DeadlineExtended,
        status=None,
        issue=lambda a, at: a.extend_deadline(
            days=10,
            reason="An inspection is needed.",
            actor=SUPERVISOR,
            at=at,
            norms=NORMS,
            calendar=CALENDAR,
        ),
        observe=lambda a: (a.extension_days, a.extended_at, a.extended_due_at),
        expected=(10, COMMAND_AT, EXTENDED_DUE),
    ),
    "answer_interim": Command(
        action="answer",
        event=Appeal.Answered,
        status=None,
        issue=lambda a, at: a.answer(
            text="Working on it.", final=False, public=False, actor=SUPERVISOR, at=at
        ),
        observe=lambda a: a.answers[-1],
        expected=("Working on it.", False, False, None, None),
    ),
    "answer_final": Command(
        action="answer",
        event=Appeal.Answered,
        status=Status.ANSWERED,
        issue=lambda a, at: a.answer(
            text="Repaired.", final=True, public=True, actor=SUPERVISOR, at=at
        ),
        observe=lambda a: (a.answers[-1], a.answered_at),
        expected=(("Repaired.", True, True, None, None), COMMAND_AT),
    ),
    "close_resolved": _close_with(Outcome.RESOLVED),
    "close_explained": _close_with(Outcome.EXPLAINED),
    "close_rejected": _close_with(Outcome.REJECTED),
    "close_duplicate": _close_with(Outcome.DUPLICATE, duplicate_of=OTHER_APPEAL),
    "close_not_competent": _close_with(Outcome.NOT_COMPETENT),
    "close_no_answer_required": _close_with(Outcome.NO_ANSWER_REQUIRED),
    "reopen": Command(
        action="reopen",
        event=Appeal.Reopened,
        status=Status.ASSIGNED,
        issue=lambda a, at: a.reopen(reason="Broken again.", actor=SUPERVISOR, at=at),
        observe=lambda a: (a.outcome, a.duplicate_of, a.closed_at, a.reopen_count),
        expected=(None, None, None, 1),
    ),
    "rate": Command(
        action="rate",
        event=Appeal.Rated,
        status=None,
        issue=lambda a, at: a.rate(score=4, actor=SUPERVISOR, at=at),
        observe=lambda a: a.rating,
        expected=4,
    ),
    "erase_personal_data": Command(
        action="erase_personal_data",
        event=Appeal.PersonalDataErased,
        status=None,
        issue=lambda a, at: a.erase_personal_data(
            legal_basis="152-ФЗ ст. 21 ч. 5", actor=SUPERVISOR, at=at
        ),
        observe=lambda a: (a.erased, a.citizen),
        expected=(True, None),
    ),
}

# "reopened" is answered → closed → reopened, which the table says is ASSIGNED again.
STATES = ("received", "registered", "assigned", "forwarded", "answered", "closed", "reopened")
STATUS_OF = {
    "received": Status.RECEIVED,
    "registered": Status.REGISTERED,
    "assigned": Status.ASSIGNED,
    "forwarded": Status.FORWARDED,
    "answered": Status.ANSWERED,
    "closed": Status.CLOSED,
    "reopened": Status.ASSIGNED,
}

OK = "allowed"
NO = "refused"  # InvalidTransitionError itself
EXT = "refused: extension rule"  # ExtensionRefusedError, the subclass

# Derived from the docstring table of ledger.lifecycle. "open" = received, registered, assigned,
# forwarded (and so reopened); register needs no registration yet (a forward ends the first
# body's); extension needs a registration and no reopen; the factory's appeals come by e-mail,
# so they are formal: closing as rejected, duplicate or no_answer_required needs them registered;
# not_competent needs a forward; closing as resolved or explained needs a final answer
# (ANSWERED); rating needs a final answer and ANSWERED/CLOSED.
TABLE: dict[str, tuple[str, ...]] = {
    # command                    received registered assigned forwarded answered closed reopened
    "register":                 (OK,      NO,        NO,      OK,       NO,      NO,    NO),
    "categorize":               (OK,      OK,        OK,      OK,       OK,      NO,    OK),
    "assign":                   (OK,      OK,        OK,      OK,       NO,      NO,    OK),
    "forward":                  (OK,      OK,        OK,      OK,       NO,      NO,    OK),
    "extend_deadline":          (EXT,     OK,        OK,      EXT,      NO,      NO,    EXT),
    "answer_interim":           (OK,      OK,        OK,      OK,       NO,      NO,    OK),
    "answer_final":             (OK,      OK,        OK,      OK,       NO,      NO,    OK),
    "close_resolved":           (NO,      NO,        NO,      NO,       OK,      NO,    NO),
    "close_explained":          (NO,      NO,        NO,      NO,       OK,      NO,    NO),
    "close_rejected":           (NO,      OK,        OK,      NO,       OK,      NO,    OK),
    "close_duplicate":          (NO,      OK,        OK,      NO,       OK,      NO,    OK),
    "close_not_competent":      (NO,      NO,        NO,      OK,       OK,      NO,    NO),
    "close_no_answer_required": (NO,      OK,        OK,      NO,       OK,      NO,    OK),
    "reopen":                   (NO,      NO,        NO,      NO,       NO,      OK,    NO),
    "rate":                     (NO,      NO,        NO,      NO,       OK,      OK,    NO),
    "erase_personal_data":      (OK,      OK,        OK,      OK,       OK,      OK,    OK),
}  # fmt: skip

CELLS = [
    pytest.param(state, command, TABLE[command][column], id=f"{state}-{command}")
    for command in TABLE
    for column, state in enumerate(STATES)
]
ALLOWED = [cell for cell in CELLS if cell.values[2] == OK]
REFUSED = [cell for cell in CELLS if cell.values[2] != OK]


def test_the_table_covers_every_command_and_state() -> None:
    rows = {command: len(cells) for command, cells in TABLE.items()}

    assert set(rows) == set(COMMANDS)
    assert set(rows.values()) == {len(STATES)}


@pytest.mark.parametrize("state", STATES)
def test_each_starting_state_has_its_documented_status(appeals: AppealFactory, state: str) -> None:
    appeal = appeals.in_state(state)

    assert appeal.status is STATUS_OF[state]


@pytest.mark.parametrize(("state", "command", "verdict"), ALLOWED)
def test_an_allowed_command_changes_state_and_records_one_event(
    appeals: AppealFactory, state: str, command: str, verdict: str
) -> None:
    appeal = appeals.in_state(state)
    before = len(appeal.pending_events)
    version = appeal.version
    spec = COMMANDS[command]

    spec.issue(appeal, COMMAND_AT)

    new_events = cast("list[Appeal.Event]", appeal.pending_events[before:])
    assert [type(e) for e in new_events] == [spec.event]
    recorded = new_events[0]
    assert recorded.originator_version == version + 1
    assert (recorded.actor_id, recorded.actor_role, recorded.at) == (
        "supervisor-7",
        "supervisor",
        COMMAND_AT,
    )
    assert appeal.version == version + 1
    assert appeal.status is (spec.status or STATUS_OF[state])
    assert spec.observe(appeal) == spec.expected
    assert appeal.last_at == COMMAND_AT


@pytest.mark.parametrize(("state", "command", "verdict"), REFUSED)
def test_a_refused_command_names_the_transition_and_records_nothing(
    appeals: AppealFactory, state: str, command: str, verdict: str
) -> None:
    appeal = appeals.in_state(state)
    before = list(appeal.pending_events)
    version = appeal.version
    spec = COMMANDS[command]

    with pytest.raises(InvalidTransitionError) as refused:
        spec.issue(appeal, COMMAND_AT)

    expected_type = ExtensionRefusedError if verdict == EXT else InvalidTransitionError
    assert type(refused.value) is expected_type
    assert refused.value.appeal_id == appeal.id
    assert refused.value.status == STATUS_OF[state].value
    assert refused.value.action == spec.action
    assert appeal.pending_events == before
    assert appeal.version == version
    assert appeal.status is STATUS_OF[state]


@pytest.mark.parametrize(("state", "command", "verdict"), ALLOWED)
def test_replaying_the_recorded_events_gives_an_equal_appeal(
    appeals: AppealFactory, ledger: AppealsLedger, state: str, command: str, verdict: str
) -> None:
    appeal = appeals.in_state(state)
    COMMANDS[command].issue(appeal, COMMAND_AT)
    ledger.save(appeal)

    replayed = ledger.get_appeal(appeal.id)

    assert replayed == appeal
    assert replayed.status is appeal.status
    assert replayed.version == appeal.version


# --- specific rules -------------------------------------------------------------------


def _extend(appeal: Appeal, days: int, at: datetime) -> None:
    appeal.extend_deadline(
        days=days,
        reason="An inspection is needed.",
        actor=SUPERVISOR,
        at=at,
        norms=NORMS,
        calendar=CALENDAR,
    )


def _refused(call: Callable[[], None], appeal: Appeal) -> LedgerError:
    """Run a command expected to fail; assert it recorded nothing and return the error."""
    before = list(appeal.pending_events)
    version = appeal.version
    with pytest.raises(LedgerError) as refused:
        call()
    assert appeal.pending_events == before
    assert appeal.version == version
    return refused.value


def test_a_deadline_can_be_extended_only_once(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")
    _extend(appeal, 10, COMMAND_AT)

    error = _refused(lambda: _extend(appeal, 5, COMMAND_AT + timedelta(days=1)), appeal)

    assert type(error) is ExtensionRefusedError
    assert error.context["reason"] == "already_extended"
    assert appeal.extended_due_at == EXTENDED_DUE


@pytest.mark.parametrize("days", [1, 30], ids=["one-day", "thirty-days"])
def test_an_extension_of_one_to_thirty_days_is_accepted(appeals: AppealFactory, days: int) -> None:
    appeal = appeals.in_state("assigned")

    _extend(appeal, days, COMMAND_AT)

    assert appeal.extension_days == days
    assert appeal.extended_due_at == ANSWER_DUE + timedelta(days=days)


@pytest.mark.parametrize("days", [0, 31, -1], ids=["zero-days", "thirty-one-days", "negative"])
def test_an_extension_outside_one_to_thirty_days_is_a_validation_error(
    appeals: AppealFactory, days: int
) -> None:
    appeal = appeals.in_state("assigned")

    error = _refused(lambda: _extend(appeal, days, COMMAND_AT), appeal)

    assert isinstance(error, ValidationError)
    assert error.field == "days"


def test_a_boolean_extension_is_a_validation_error(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")

    error = _refused(lambda: _extend(appeal, True, COMMAND_AT), appeal)

    assert isinstance(error, ValidationError)
    assert error.field == "days"


@pytest.mark.parametrize("state", ["received", "received_then_forwarded"])
def test_an_unregistered_appeal_cannot_have_its_deadline_extended(
    appeals: AppealFactory, state: str
) -> None:
    appeal = appeals.received()
    if state == "received_then_forwarded":
        appeal.forward(
            to_body="ministry-of-energy", reason="Competence.", actor=SUPERVISOR, at=COMMAND_AT
        )

    error = _refused(lambda: _extend(appeal, 10, COMMAND_AT), appeal)

    assert type(error) is ExtensionRefusedError
    assert error.context["reason"] == "not_registered"
    assert appeal.extended_due_at is None


@pytest.mark.parametrize(
    "since_registration",
    [timedelta(0), timedelta(days=30)],
    ids=["at-registration", "thirty-days-after-registration"],
)
def test_a_deadline_can_be_extended_within_the_answer_period(
    appeals: AppealFactory, since_registration: timedelta
) -> None:
    appeal = appeals.in_state("registered")

    _extend(appeal, 10, REGISTERED_AT + since_registration)

    assert appeal.extension_days == 10
    assert appeal.extended_due_at == EXTENDED_DUE


def test_an_extension_is_accepted_until_the_last_moment_of_the_answer_period(
    appeals: AppealFactory,
) -> None:
    appeal = appeals.in_state("assigned")
    last_moment = ANSWER_DUE - timedelta(microseconds=1)

    _extend(appeal, 10, last_moment)

    assert appeal.extended_due_at == EXTENDED_DUE
    assert appeal.extended_at == last_moment


@pytest.mark.parametrize(
    "moment",
    [ANSWER_DUE, REGISTERED_AT + timedelta(days=31)],
    ids=["exactly-at-due", "thirty-one-days-after-registration"],
)
def test_a_deadline_cannot_be_extended_once_it_has_passed(
    appeals: AppealFactory, moment: datetime
) -> None:
    appeal = appeals.in_state("assigned")

    error = _refused(lambda: _extend(appeal, 10, moment), appeal)

    assert type(error) is ExtensionRefusedError
    assert error.context["reason"] == "deadline_passed"


def test_an_extension_moves_the_reported_answer_due_date(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")

    _extend(appeal, 10, COMMAND_AT)

    answer = [due for due in appeal.due_dates(NORMS, CALENDAR) if due.kind == "answer"]
    assert [due.due_at for due in answer] == [EXTENDED_DUE]
    assert answer[0].counted_from == "DeadlineExtended"


def test_a_closed_appeal_without_a_final_answer_cannot_be_rated(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")
    appeal.answer(text="Working on it.", final=False, public=False, actor=SUPERVISOR, at=COMMAND_AT)
    appeal.close(outcome=Outcome.REJECTED, duplicate_of=None, actor=SUPERVISOR, at=COMMAND_AT)

    error = _refused(lambda: appeal.rate(score=5, actor=SUPERVISOR, at=COMMAND_AT), appeal)

    assert type(error) is InvalidTransitionError
    assert (error.status, error.action) == ("closed", "rate")
    assert error.context["reason"] == "no_answer"
    assert appeal.rating is None


def test_a_reopened_appeal_returns_to_its_assignee(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("closed")

    appeal.reopen(reason="Broken again.", actor=SUPERVISOR, at=COMMAND_AT)

    assert appeal.status is Status.ASSIGNED
    assert (appeal.department, appeal.assignee) == ("roads", "petrov")
    assert (appeal.outcome, appeal.closed_at, appeal.reopen_count) == (None, None, 1)


def test_a_reopened_appeal_can_be_answered_closed_and_reopened_again(
    appeals: AppealFactory,
) -> None:
    appeal = appeals.in_state("reopened")

    appeal.answer(
        text="Replaced the lamp.", final=True, public=True, actor=SUPERVISOR, at=COMMAND_AT
    )
    appeal.close(outcome=Outcome.RESOLVED, duplicate_of=None, actor=SUPERVISOR, at=COMMAND_AT)
    appeal.reopen(reason="Still dark.", actor=SUPERVISOR, at=COMMAND_AT)

    assert appeal.status is Status.ASSIGNED
    assert appeal.reopen_count == 2
    assert len(appeal.answers) == 2


@pytest.mark.parametrize(
    ("outcome", "duplicate_of"),
    [
        (Outcome.DUPLICATE, None),
        (Outcome.REJECTED, OTHER_APPEAL),
        (Outcome.RESOLVED, OTHER_APPEAL),
    ],
    ids=["duplicate-without-original", "rejected-with-original", "resolved-with-original"],
)
def test_duplicate_of_is_required_exactly_when_closing_as_duplicate(
    appeals: AppealFactory, outcome: Outcome, duplicate_of: UUID | None
) -> None:
    appeal = appeals.in_state("answered")

    error = _refused(
        lambda: appeal.close(
            outcome=outcome, duplicate_of=duplicate_of, actor=SUPERVISOR, at=COMMAND_AT
        ),
        appeal,
    )

    assert isinstance(error, ValidationError)
    assert error.field == "duplicateOf"
    assert appeal.status is Status.ANSWERED


def test_an_appeal_cannot_be_closed_as_a_duplicate_of_itself(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")

    error = _refused(
        lambda: appeal.close(
            outcome=Outcome.DUPLICATE, duplicate_of=appeal.id, actor=SUPERVISOR, at=COMMAND_AT
        ),
        appeal,
    )

    assert isinstance(error, ValidationError)
    assert error.field == "duplicateOf"
    assert appeal.status is Status.ASSIGNED


@pytest.mark.parametrize("state", ["received", "forwarded"])
def test_an_appeal_cannot_be_forwarded_to_its_own_body(appeals: AppealFactory, state: str) -> None:
    appeal = appeals.in_state(state)
    own_body = appeal.body

    error = _refused(
        lambda: appeal.forward(
            to_body=own_body, reason="Competence.", actor=SUPERVISOR, at=COMMAND_AT
        ),
        appeal,
    )

    assert isinstance(error, ValidationError)
    assert error.field == "toBody"
    assert appeal.body == own_body


# Each command in a state that allows it, issued one second before the appeal was received.
BEFORE_RECEIPT = [
    pytest.param(state, command, id=command)
    for command, state in [
        ("register", "received"),
        ("categorize", "received"),
        ("assign", "received"),
        ("forward", "received"),
        ("extend_deadline", "registered"),
        ("answer_interim", "received"),
        ("answer_final", "received"),
        ("close_rejected", "received"),
        ("close_resolved", "answered"),
        ("reopen", "closed"),
        ("rate", "answered"),
        ("erase_personal_data", "closed"),
    ]
]


@pytest.mark.parametrize(("state", "command"), BEFORE_RECEIPT)
def test_a_business_time_before_the_receipt_is_refused(
    appeals: AppealFactory, state: str, command: str
) -> None:
    appeal = appeals.in_state(state)
    before_receipt = appeals.received_at - timedelta(seconds=1)

    error = _refused(lambda: COMMANDS[command].issue(appeal, before_receipt), appeal)

    assert isinstance(error, ValidationError)
    assert error.field == "at"


def test_personal_data_cannot_be_erased_twice(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("closed")
    appeal.erase_personal_data(legal_basis="152-ФЗ ст. 21 ч. 5", actor=SUPERVISOR, at=COMMAND_AT)

    error = _refused(
        lambda: appeal.erase_personal_data(legal_basis="again", actor=SUPERVISOR, at=COMMAND_AT),
        appeal,
    )

    assert type(error) is InvalidTransitionError
    assert (error.appeal_id, error.status, error.action) == (
        appeal.id,
        "closed",
        "erase_personal_data",
    )
    assert error.context["reason"] == "already_erased"


def test_a_whole_lifecycle_replays_to_an_equal_appeal(
    appeals: AppealFactory, ledger: AppealsLedger
) -> None:
    appeal = appeals.in_state("assigned")
    _extend(appeal, 10, COMMAND_AT)
    appeal.answer(text="Done.", final=True, public=False, actor=SUPERVISOR, at=COMMAND_AT)
    appeal.close(outcome=Outcome.RESOLVED, duplicate_of=None, actor=SUPERVISOR, at=COMMAND_AT)
    appeal.reopen(reason="Broken again.", actor=SUPERVISOR, at=COMMAND_AT)
    appeal.answer(
        text="Replaced the lamp.", final=True, public=True, actor=SUPERVISOR, at=COMMAND_AT
    )
    appeal.rate(score=5, actor=SUPERVISOR, at=COMMAND_AT)
    appeal.close(
        outcome=Outcome.DUPLICATE, duplicate_of=OTHER_APPEAL, actor=SUPERVISOR, at=COMMAND_AT
    )
    appeal.erase_personal_data(legal_basis="152-ФЗ ст. 21 ч. 5", actor=SUPERVISOR, at=COMMAND_AT)
    ledger.save(appeal)

    replayed = ledger.get_appeal(appeal.id)

    assert replayed == appeal
    assert replayed.version == 11
    assert (replayed.outcome, replayed.duplicate_of) == (Outcome.DUPLICATE, OTHER_APPEAL)
    assert replayed.extended_due_at == EXTENDED_DUE


# --- issue #19: the lifecycle as offices practise it ----------------------------------


def test_the_receiving_body_registers_a_forwarded_appeal_and_its_clocks_restart(
    appeals: AppealFactory,
) -> None:
    appeal = appeals.in_state("forwarded")
    extension = _refused(lambda: _extend(appeal, 10, COMMAND_AT), appeal)

    appeal.register(number="MT-9", actor=SUPERVISOR, at=COMMAND_AT)

    dues = {d.kind: d for d in appeal.due_dates(NORMS, CALENDAR)}
    assert isinstance(extension, ExtensionRefusedError)
    assert (appeal.registration_number, appeal.registered_at) == ("MT-9", COMMAND_AT)
    assert dues[DueKind.REGISTRATION].counted_from == "Forwarded"
    assert dues[DueKind.ANSWER].due_at == datetime(2025, 4, 3, 21, 0, tzinfo=UTC)


def test_a_command_dated_before_the_last_event_names_that_event(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("registered")

    error = _refused(
        lambda: appeal.answer(
            text="x",
            final=True,
            public=False,
            actor=SUPERVISOR,
            at=REGISTERED_AT - timedelta(minutes=30),
        ),
        appeal,
    )

    assert isinstance(error, ValidationError)
    assert error.field == "at"
    assert "precedes the appeal's registration at 2025-03-03T08:00:00+00:00" in error.reason


def test_a_reopen_clears_the_answer_and_the_rating_and_the_first_verdict_stays(
    appeals: AppealFactory,
) -> None:
    appeal = appeals.in_state("closed")
    appeal.rate(score=2, actor=SUPERVISOR, at=COMMAND_AT)
    late = COMMAND_AT + timedelta(days=90)

    appeal.reopen(reason="Again.", actor=SUPERVISOR, at=COMMAND_AT)
    cleared = (appeal.answered_at, appeal.rating)
    appeal.answer(text="Fixed.", final=True, public=False, actor=SUPERVISOR, at=late)

    assert cleared == (None, None)
    assert appeal.first_answer_on_time(NORMS, CALENDAR) is True


def test_a_social_message_is_due_for_registration_only_from_its_registration(
    appeals: AppealFactory,
) -> None:
    appeal = appeals.received(channel="vk")
    before = [d.kind for d in appeal.due_dates(NORMS, CALENDAR)]

    appeal.register(number="R-2", actor=SUPERVISOR, at=COMMAND_AT)

    due = next(d for d in appeal.due_dates(NORMS, CALENDAR) if d.kind == "registration")
    assert "registration" not in before
    assert (due.counted_from, due.from_at) == ("Registered", COMMAND_AT)
