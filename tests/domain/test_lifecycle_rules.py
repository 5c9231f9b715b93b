"""The lifecycle's specific rules: rating, reopening, duplicates, forwarding, business time,
erasure, and a whole lifecycle replayed."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from ledger.application import AppealsLedger
from ledger.errors import (
    InvalidTransitionError,
    ValidationError,
)
from ledger.values import Outcome, Status

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory
from tests.domain.lifecycle_table import (
    COMMAND_AT,
    COMMANDS,
    EXTENDED_DUE,
    OTHER_APPEAL,
    SUPERVISOR,
    extend,
    refused,
)


def test_a_closed_appeal_without_a_final_answer_cannot_be_rated(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")
    appeal.answer(text="Working on it.", final=False, public=False, actor=SUPERVISOR, at=COMMAND_AT)
    appeal.close(outcome=Outcome.REJECTED, duplicate_of=None, actor=SUPERVISOR, at=COMMAND_AT)

    error = refused(lambda: appeal.rate(score=5, actor=SUPERVISOR, at=COMMAND_AT), appeal)

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

    error = refused(
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

    error = refused(
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

    error = refused(
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

    error = refused(lambda: COMMANDS[command].issue(appeal, before_receipt), appeal)

    assert isinstance(error, ValidationError)
    assert error.field == "at"


def test_personal_data_cannot_be_erased_twice(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("closed")
    appeal.erase_personal_data(legal_basis="152-ФЗ ст. 21 ч. 5", actor=SUPERVISOR, at=COMMAND_AT)

    error = refused(
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
    extend(appeal, 10, COMMAND_AT)
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
