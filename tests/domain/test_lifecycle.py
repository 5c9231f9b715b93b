"""The Appeal state machine, cell by cell, against the table in ``ledger.lifecycle``'s docstring.

Each (state × command) cell is either allowed, in which case the documented state change
happens and exactly one event of the documented class is recorded, or refused, in which case
an ``InvalidTransitionError`` names the appeal, its status and the action, and nothing is
recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.errors import (
    ExtensionRefusedError,
    InvalidTransitionError,
)

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory
from tests.domain.lifecycle_table import (
    ALLOWED,
    COMMAND_AT,
    COMMANDS,
    EXT,
    REFUSED,
    STATES,
    STATUS_OF,
    TABLE,
)


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
