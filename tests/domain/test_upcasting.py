"""Old versions of stored events still load: each upcaster, on every store kind.

Events written by earlier versions stay in the log for ever; a change to an event class
adds a version and an upcaster, and these tests load the earlier shape through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.application import AppealsLedger
from ledger.values import Status
from tests.domain.test_topics import AGGREGATE_TOPIC, STORES

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory


@pytest.mark.parametrize("store", STORES)
def test_a_version_one_receipt_loads_with_its_text_in_clear(
    appeals: AppealFactory, store: dict[str, str]
) -> None:
    ledger = AppealsLedger(store)
    current = ledger.mapper.transcoder.decode(
        ledger.mapper.to_stored_event(appeals.received().collect_events()[0]).state
    )
    # What a version-1 Received event looked like: no ``text_key`` and no ``class_version``.
    version_one_state = {
        k: v
        for k, v in current.items()
        if k not in {"text_key", "class_version", "time_reason", "source", "department"}
    }
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=appeals.received().id,
                originator_version=1,
                topic="appeals:Appeal.Received",
                state=ledger.mapper.transcoder.encode(version_one_state),
            )
        ]
    )

    loaded = ledger.get_appeal(appeals.received().id)

    assert loaded.text_key is None
    assert ledger.open_text(loaded) == "The street light on Lenina 5 is broken."


@pytest.mark.parametrize("store", STORES)
def test_a_version_four_receipt_loads_routed_to_no_department(
    appeals: AppealFactory, store: dict[str, str]
) -> None:
    ledger = AppealsLedger(store)
    current = ledger.mapper.transcoder.decode(
        ledger.mapper.to_stored_event(appeals.received().collect_events()[0]).state
    )
    version_four = {k: v for k, v in current.items() if k != "department"} | {"class_version": 4}
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=appeals.received().id,
                originator_version=1,
                topic="appeals:Appeal.Received",
                state=ledger.mapper.transcoder.encode(version_four),
            )
        ]
    )

    loaded = ledger.get_appeal(appeals.received().id)

    assert (loaded.department, loaded.source, loaded.body) == (None, None, "city-hall")


@pytest.mark.parametrize("store", STORES)
def test_a_receipt_routed_to_a_department_stays_received_in_its_queue(
    store: dict[str, str],
) -> None:
    ledger = AppealsLedger(store)
    recorded = ledger.receive_appeal(
        channel="max",
        external_id="7300451:mid.1",
        text="Не горит фонарь",
        body="city-hall",
        department="lighting",
        source="max:7300451",
    )

    appeal = ledger.get_appeal(recorded.appeal_id)

    assert (appeal.department, appeal.assignee, appeal.status) == (
        "lighting",
        None,
        Status.RECEIVED,
    )


@pytest.mark.parametrize("store", STORES)
def test_a_version_one_answer_loads_as_not_public(
    appeals: AppealFactory, store: dict[str, str]
) -> None:
    ledger = AppealsLedger(store)
    appeal = appeals.in_state("assigned")
    ledger.save(appeal)
    previous = ledger.mapper.transcoder.decode(ledger.recorder.select_events(appeal.id)[-1].state)
    # What a version-1 Answered event looked like: no ``public`` and no ``class_version``.
    version_one_state = {
        "timestamp": previous["timestamp"],
        "originator_topic": AGGREGATE_TOPIC,
        "actor_id": "operator-1",
        "actor_role": "operator",
        "at": previous["at"],
        "text": "An answer written before answers could be published.",
        "final": True,
    }
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=appeal.id,
                originator_version=appeal.version + 1,
                topic="appeals:Appeal.Answered",
                state=ledger.mapper.transcoder.encode(version_one_state),
            )
        ]
    )

    loaded = ledger.get_appeal(appeal.id)

    assert loaded.version == appeal.version + 1
    assert loaded.answers == [
        ("An answer written before answers could be published.", True, False, None, None)
    ]
    assert loaded.answered_at == previous["at"]
    assert loaded.status is Status.ANSWERED


@pytest.mark.parametrize("store", STORES)
def test_events_written_before_times_had_reasons_load_without_a_reason(
    appeals: AppealFactory, store: dict[str, str]
) -> None:
    ledger = AppealsLedger(store)
    appeal = appeals.received()
    ledger.save(appeal)
    received = ledger.mapper.transcoder.decode(ledger.recorder.select_events(appeal.id)[0].state)
    # What a version-1 Registered event looked like: no ``time_reason``, no ``class_version``.
    version_one_state = {
        "timestamp": received["timestamp"],
        "originator_topic": AGGREGATE_TOPIC,
        "actor_id": "operator-1",
        "actor_role": "operator",
        "at": received["at"],
        "number": "R-OLD",
    }
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=appeal.id,
                originator_version=appeal.version + 1,
                topic="appeals:Appeal.Registered",
                state=ledger.mapper.transcoder.encode(version_one_state),
            )
        ]
    )

    history = ledger.history(appeal.id)

    assert [e.event.time_reason for e in history] == [None, None]
    assert ledger.get_appeal(appeal.id).registration_number == "R-OLD"
