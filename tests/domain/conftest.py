"""Fixtures for domain tests: appeals built in memory along the documented lifecycle.

Nothing here touches a disk or a network: appeals are plain aggregates, and the ledger uses
the library's in-memory (POPO) store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.values import Actor, Outcome, Role

# A Monday, 10:00 in Moscow: far from holidays, so calendar days are plain calendar days.
RECEIVED_AT = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
OPERATOR = Actor(id="operator-1", role=Role.OPERATOR)


class AppealFactory:
    """Builds an appeal in any lifecycle state, one step an hour after its receipt."""

    received_at = RECEIVED_AT
    registered_at = RECEIVED_AT + 1 * HOUR
    actor = OPERATOR
    first_body = "city-hall"
    forwarded_body = "ministry-of-transport"

    def received(self, external_id: str = "ext-1", channel: str = "email") -> Appeal:
        """A freshly received appeal with sealed citizen data, as the application builds it."""
        return Appeal(
            channel=channel,
            external_id=external_id,
            text="The street light on Lenina 5 is broken.",
            text_key=None,  # in clear, as before texts were sealed; the application seals it
            body=self.first_body,
            citizen_id="c-1",
            citizen="v1.sealed-citizen-token",
            category=None,
            location="Lenina 5",
            source=None,
            department=None,
            actor_id=self.actor.id,
            actor_role=self.actor.role.value,
            at=self.received_at,
            time_reason=None,
        )

    def in_state(self, state: str, external_id: str = "ext-1") -> Appeal:
        """An appeal brought to ``state`` by the shortest documented path."""
        appeal = self.received(external_id)
        for step in _PATHS[state]:
            step(self, appeal)
        return appeal


def _register(factory: AppealFactory, appeal: Appeal) -> None:
    appeal.register(number="R-1", actor=factory.actor, at=factory.registered_at)


def _assign(factory: AppealFactory, appeal: Appeal) -> None:
    appeal.assign(
        department="roads", assignee="petrov", actor=factory.actor, at=RECEIVED_AT + 2 * HOUR
    )


def _forward(factory: AppealFactory, appeal: Appeal) -> None:
    appeal.forward(
        to_body=factory.forwarded_body,
        reason="Street lights belong to the regional ministry.",
        actor=factory.actor,
        at=RECEIVED_AT + 3 * HOUR,
    )


def _answer(factory: AppealFactory, appeal: Appeal) -> None:
    appeal.answer(
        text="The light was repaired.",
        final=True,
        public=False,
        actor=factory.actor,
        at=RECEIVED_AT + 3 * HOUR,
    )


def _close(factory: AppealFactory, appeal: Appeal) -> None:
    appeal.close(
        outcome=Outcome.RESOLVED, duplicate_of=None, actor=factory.actor, at=RECEIVED_AT + 4 * HOUR
    )


def _reopen(factory: AppealFactory, appeal: Appeal) -> None:
    appeal.reopen(
        reason="The light is broken again.", actor=factory.actor, at=RECEIVED_AT + 5 * HOUR
    )


_Step = Callable[[AppealFactory, Appeal], None]
_PATHS: dict[str, tuple[_Step, ...]] = {
    "received": (),
    "registered": (_register,),
    "assigned": (_register, _assign),
    "forwarded": (_register, _assign, _forward),
    "answered": (_register, _assign, _answer),
    "closed": (_register, _assign, _answer, _close),
    "reopened": (_register, _assign, _answer, _close, _reopen),
}


@pytest.fixture
def appeals() -> AppealFactory:
    """Builds appeals in any lifecycle state, without a store."""
    return AppealFactory()


@pytest.fixture
def ledger() -> AppealsLedger:
    """A ledger on the library's in-memory store whose clock stands a week after receipt."""
    now = RECEIVED_AT + timedelta(days=7)
    return AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: now)


@pytest.fixture(
    params=[
        {"PERSISTENCE_MODULE": "eventsourcing.popo"},
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"},
    ],
    ids=["popo", "sqlite-memory"],
)
def store_ledger(request: pytest.FixtureRequest) -> AppealsLedger:
    """A ledger once on the library's in-memory store and once on in-memory SQLite."""
    return AppealsLedger(request.param)


def receive_routed(ledger: AppealsLedger) -> UUID:
    """A MAX message that its source routed to the city hall's lighting department."""
    return ledger.receive_appeal(
        channel="max",
        external_id="7300451:mid.1",
        text="Не горит фонарь",
        body="city-hall",
        department="lighting",
        source="max:7300451",
    ).appeal_id
