"""Commands trigger their events through ``FastTrigger`` exactly as the library's decorator.

The same commands are run twice, once with the library's own ``@event`` decorators put back
on ``Appeal``: the events recorded, their attributes (all but the recorded time) and the
appeal's state after them are the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from demo.generator import DemoOptions, generate
from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import SEAL_PREFIX
from ledger.triggers import FastTrigger
from tests.domain.conftest import _PATHS, AppealFactory

_FAST = {name: value for name, value in vars(Appeal).items() if isinstance(value, FastTrigger)}


@pytest.fixture
def library_decorators() -> Iterator[None]:
    for name, trigger in _FAST.items():
        setattr(Appeal, name, trigger.decorator)
    try:
        yield
    finally:
        for name, trigger in _FAST.items():
            setattr(Appeal, name, trigger)


def _unsealed(value: Any) -> Any:
    """Sealed personal data differs run to run (a random nonce): compare that it is sealed."""
    return "<sealed>" if isinstance(value, str) and value.startswith(SEAL_PREFIX) else value


def _recorded() -> list[tuple[type, Any]]:
    factory = AppealFactory()
    appeals = [factory.in_state(state, external_id=state) for state in _PATHS]
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    options = DemoOptions(appeals=150, seed=5, until=AppealFactory.received_at, days=60)
    appeals += list(generate(ledger, options))
    recorded: list[tuple[type, Any]] = []
    for appeal in appeals:
        # The appeal's state, but the recorded times and the sealed texts of answers and notes.
        skipped = ("_pending_events", "_modified_on", "_created_on", "answers", "notes")
        state = {k: _unsealed(v) for k, v in vars(appeal).items() if k not in skipped}
        state["answers"] = [(a.final, a.public, a.text_key, a.delivery) for a in appeal.answers]
        for event in appeal.collect_events():
            # In order: the stored bytes follow the order of the event's attributes.
            attributes = [(k, _unsealed(v)) for k, v in vars(event).items() if k != "timestamp"]
            recorded.append((type(event), attributes))
        recorded.append((Appeal, state))
    return recorded


def test_every_mutator_of_the_appeal_is_triggered_fast() -> None:
    assert {"_register", "_assign", "_answer", "_close", "_add_note"} <= _FAST.keys()


def test_fast_triggers_record_what_the_librarys_decorators_record(
    library_decorators: None,
) -> None:
    by_library = _recorded()

    for name, trigger in _FAST.items():
        setattr(Appeal, name, trigger)
    fast = _recorded()

    assert [kind for kind, _ in fast] == [kind for kind, _ in by_library]
    assert fast == by_library
    assert len({kind for kind, _ in fast}) >= 8


def test_an_unknown_attribute_is_refused_as_a_programming_error() -> None:
    appeal = AppealFactory().in_state("registered")
    categorize: Any = appeal._categorize
    at = AppealFactory.received_at

    with pytest.raises(TypeError, match="unexpected"):
        categorize(category="x", actor_id="a", actor_role="operator", at=at, colour=1)
