"""Stored topics never change, and old versions of stored events still load.

A stored event is found again only by its topic string, so renaming or moving a class must
not change what is written. The expected list below is hard-coded on purpose: a failure here
means stored history would stop loading, not that the test needs updating.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import Citizen
from ledger.values import Status

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory

AGGREGATE_TOPIC = "appeals:Appeal"
EVENT_TOPICS = {
    "appeals:Appeal.Received",
    "appeals:Appeal.Registered",
    "appeals:Appeal.Categorized",
    "appeals:Appeal.Assigned",
    "appeals:Appeal.Forwarded",
    "appeals:Appeal.DeadlineExtended",
    "appeals:Appeal.Answered",
    "appeals:Appeal.Closed",
    "appeals:Appeal.Reopened",
    "appeals:Appeal.Rated",
    "appeals:Appeal.PersonalDataErased",
    "appeals:Appeal.AnswerDelivered",
    "appeals:Appeal.DeliveryFailed",
    "appeals:Appeal.LeftWithoutAnswer",
    "appeals:Appeal.NoticeSent",
    "appeals:Appeal.NoteAdded",
}

# The base ``Appeal.Event`` is never triggered or stored, so it has no topic of its own.
EVENT_CLASSES = {
    cls
    for cls in vars(Appeal).values()
    if isinstance(cls, type) and issubclass(cls, Appeal.Event) and cls is not Appeal.Event
}

STORES = [
    pytest.param({"PERSISTENCE_MODULE": "eventsourcing.popo"}, id="popo"),
    pytest.param(
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"},
        id="sqlite-memory",
    ),
]


def test_the_aggregate_is_stored_under_its_explicit_topic() -> None:
    topic = get_topic(Appeal)

    assert topic == AGGREGATE_TOPIC
    assert resolve_topic(topic) is Appeal


def test_every_appeal_event_is_stored_under_its_explicit_topic() -> None:
    topics = {get_topic(cls) for cls in EVENT_CLASSES}

    assert topics == EVENT_TOPICS
    assert all(isinstance(getattr(cls, "TOPIC", None), str) for cls in EVENT_CLASSES)


@pytest.mark.parametrize("topic", sorted(EVENT_TOPICS))
def test_a_stored_topic_resolves_to_its_event_class(topic: str) -> None:
    cls = resolve_topic(topic)

    assert cls in EVENT_CLASSES
    assert cls is getattr(Appeal, topic.rsplit(".", 1)[1])


@pytest.mark.parametrize("store", STORES)
def test_a_whole_lifecycle_is_written_with_the_pinned_topics(
    appeals: AppealFactory, store: dict[str, str]
) -> None:
    ledger = AppealsLedger(store)
    appeal = appeals.in_state("reopened")
    ledger.save(appeal)

    stored = ledger.recorder.select_events(appeal.id)

    assert [event.topic for event in stored] == [
        "appeals:Appeal.Received",
        "appeals:Appeal.Registered",
        "appeals:Appeal.Assigned",
        "appeals:Appeal.Answered",
        "appeals:Appeal.Closed",
        "appeals:Appeal.Reopened",
    ]
    received = ledger.mapper.transcoder.decode(stored[0].state)
    assert received["originator_topic"] == AGGREGATE_TOPIC


# --- upcasting ------------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_a_new_answer_is_stored_as_class_version_four(
    appeals: AppealFactory, store: dict[str, str]
) -> None:
    ledger = AppealsLedger(store)
    appeal = appeals.in_state("answered")
    ledger.save(appeal)

    answered = ledger.recorder.select_events(appeal.id)[-1]

    state = ledger.mapper.transcoder.decode(answered.state)
    assert answered.topic == "appeals:Appeal.Answered"
    assert state["class_version"] == 4
    assert (state["text"], state["final"], state["public"], state["text_key"]) == (
        "The light was repaired.",
        True,
        False,
        None,
    )
    assert state["time_reason"] is None


@pytest.mark.parametrize("store", STORES)
def test_a_new_receipt_is_stored_as_class_version_five_with_its_text_sealed(
    store: dict[str, str],
) -> None:
    ledger = AppealsLedger(store)
    recorded = ledger.receive_appeal(
        channel="vk",
        external_id="v2-1",
        text="Lenina 5, +7 900 000-00-00",
        body="city-hall",
        citizen=Citizen(name="Ivan Petrov"),
    )

    received = ledger.recorder.select_events(recorded.appeal_id)[0]

    state = ledger.mapper.transcoder.decode(received.state)
    assert received.topic == "appeals:Appeal.Received"
    assert state["class_version"] == 5
    assert state["source"] is None
    assert state["department"] is None
    assert state["text_key"] is not None
    assert "Lenina" not in state["text"]
    assert ledger.open_text(ledger.get_appeal(recorded.appeal_id)) == "Lenina 5, +7 900 000-00-00"


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
