"""The lifecycle tests' table: every command, every starting state, and the verdict of each cell.

Derived from the table in ``ledger.lifecycle``'s docstring; ``extend`` and ``refused`` are the
helpers the rule tests share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from ledger.domain import Appeal
from ledger.errors import (
    LedgerError,
)
from ledger.values import Actor, Outcome, Role, Status

if TYPE_CHECKING:
    pass

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
    "register": (OK, NO, NO, OK, NO, NO, NO),
    "categorize": (OK, OK, OK, OK, OK, NO, OK),
    "assign": (OK, OK, OK, OK, NO, NO, OK),
    "forward": (OK, OK, OK, OK, NO, NO, OK),
    "extend_deadline": (EXT, OK, OK, EXT, NO, NO, EXT),
    "answer_interim": (OK, OK, OK, OK, NO, NO, OK),
    "answer_final": (OK, OK, OK, OK, NO, NO, OK),
    "close_resolved": (NO, NO, NO, NO, OK, NO, NO),
    "close_explained": (NO, NO, NO, NO, OK, NO, NO),
    "close_rejected": (NO, OK, OK, NO, OK, NO, OK),
    "close_duplicate": (NO, OK, OK, NO, OK, NO, OK),
    "close_not_competent": (NO, NO, NO, OK, OK, NO, NO),
    "close_no_answer_required": (NO, OK, OK, NO, OK, NO, OK),
    "reopen": (NO, NO, NO, NO, NO, OK, NO),
    "rate": (NO, NO, NO, NO, OK, OK, NO),
    "erase_personal_data": (OK, OK, OK, OK, OK, OK, OK),
}

CELLS = [
    pytest.param(state, command, TABLE[command][column], id=f"{state}-{command}")
    for command in TABLE
    for column, state in enumerate(STATES)
]
ALLOWED = [cell for cell in CELLS if cell.values[2] == OK]
REFUSED = [cell for cell in CELLS if cell.values[2] != OK]


def extend(appeal: Appeal, days: int, at: datetime) -> None:
    appeal.extend_deadline(
        days=days,
        reason="An inspection is needed.",
        actor=SUPERVISOR,
        at=at,
        norms=NORMS,
        calendar=CALENDAR,
    )


def refused(call: Callable[[], None], appeal: Appeal) -> LedgerError:
    """Run a command expected to fail; assert it recorded nothing and return the error."""
    before = list(appeal.pending_events)
    version = appeal.version
    with pytest.raises(LedgerError) as refused:
        call()
    assert appeal.pending_events == before
    assert appeal.version == version
    return refused.value
