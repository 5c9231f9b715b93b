"""Issue #19: the lifecycle as offices practise it (forwarded registration, dated commands,
reopening, registration dues of social messages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ledger.deadlines import DueKind
from ledger.errors import (
    ExtensionRefusedError,
    ValidationError,
)

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory
from tests.domain.lifecycle_table import (
    CALENDAR,
    COMMAND_AT,
    NORMS,
    REGISTERED_AT,
    SUPERVISOR,
    extend,
    refused,
)

# --- issue #19: the lifecycle as offices practise it ----------------------------------


def test_the_receiving_body_registers_a_forwarded_appeal_and_its_clocks_restart(
    appeals: AppealFactory,
) -> None:
    appeal = appeals.in_state("forwarded")
    extension = refused(lambda: extend(appeal, 10, COMMAND_AT), appeal)

    appeal.register(number="MT-9", actor=SUPERVISOR, at=COMMAND_AT)

    dues = {d.kind: d for d in appeal.due_dates(NORMS, CALENDAR)}
    assert isinstance(extension, ExtensionRefusedError)
    assert (appeal.registration_number, appeal.registered_at) == ("MT-9", COMMAND_AT)
    assert dues[DueKind.REGISTRATION].counted_from == "Forwarded"
    assert dues[DueKind.ANSWER].due_at == datetime(2025, 4, 3, 21, 0, tzinfo=UTC)


def test_a_command_dated_before_the_last_event_names_that_event(appeals: AppealFactory) -> None:
    appeal = appeals.in_state("registered")

    error = refused(
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
