"""Extending the answer deadline (59-ФЗ ст. 12 ч. 2): once, 1-30 days, within the period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from ledger.errors import (
    ExtensionRefusedError,
    ValidationError,
)

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory
from tests.domain.lifecycle_table import (
    ANSWER_DUE,
    CALENDAR,
    COMMAND_AT,
    EXTENDED_DUE,
    NORMS,
    REGISTERED_AT,
    SUPERVISOR,
    extend,
    refused,
)


def test_a_deadline_can_be_extended_only_once(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")
    extend(appeal, 10, COMMAND_AT)

    error = refused(lambda: extend(appeal, 5, COMMAND_AT + timedelta(days=1)), appeal)

    assert type(error) is ExtensionRefusedError
    assert error.context["reason"] == "already_extended"
    assert appeal.extended_due_at == EXTENDED_DUE


@pytest.mark.parametrize("days", [1, 30], ids=["one-day", "thirty-days"])
def test_an_extension_of_one_to_thirty_days_is_accepted(appeals: AppealFactory, days: int) -> None:
    appeal = appeals.in_state("assigned")

    extend(appeal, days, COMMAND_AT)

    assert appeal.extension_days == days
    assert appeal.extended_due_at == ANSWER_DUE + timedelta(days=days)


@pytest.mark.parametrize("days", [0, 31, -1], ids=["zero-days", "thirty-one-days", "negative"])
def test_an_extension_outside_one_to_thirty_days_is_a_validation_error(
    appeals: AppealFactory, days: int
) -> None:
    appeal = appeals.in_state("assigned")

    error = refused(lambda: extend(appeal, days, COMMAND_AT), appeal)

    assert isinstance(error, ValidationError)
    assert error.field == "days"


def test_a_boolean_extension_is_a_validation_error(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")

    error = refused(lambda: extend(appeal, True, COMMAND_AT), appeal)

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

    error = refused(lambda: extend(appeal, 10, COMMAND_AT), appeal)

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

    extend(appeal, 10, REGISTERED_AT + since_registration)

    assert appeal.extension_days == 10
    assert appeal.extended_due_at == EXTENDED_DUE


def test_an_extension_is_accepted_until_the_last_moment_of_the_answer_period(
    appeals: AppealFactory,
) -> None:
    appeal = appeals.in_state("assigned")
    last_moment = ANSWER_DUE - timedelta(microseconds=1)

    extend(appeal, 10, last_moment)

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

    error = refused(lambda: extend(appeal, 10, moment), appeal)

    assert type(error) is ExtensionRefusedError
    assert error.context["reason"] == "deadline_passed"


def test_an_extension_moves_the_reported_answer_due_date(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("assigned")

    extend(appeal, 10, COMMAND_AT)

    answer = [due for due in appeal.due_dates(NORMS, CALENDAR) if due.kind == "answer"]
    assert [due.due_at for due in answer] == [EXTENDED_DUE]
    assert answer[0].counted_from == "DeadlineExtended"
