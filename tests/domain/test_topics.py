"""Stored topics never change, and old versions of stored events still load.

A stored event is found again only by its topic string, so renaming or moving a class must
not change what is written. The expected list below is hard-coded on purpose: a failure here
means stored history would stop loading, not that the test needs updating.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import Citizen

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


def test_a_whole_lifecycle_is_written_with_the_pinned_topics(
    appeals: AppealFactory, store_ledger: AppealsLedger
) -> None:
    appeal = appeals.in_state("reopened")
    store_ledger.save(appeal)

    stored = store_ledger.recorder.select_events(appeal.id)

    assert [event.topic for event in stored] == [
        "appeals:Appeal.Received",
        "appeals:Appeal.Registered",
        "appeals:Appeal.Assigned",
        "appeals:Appeal.Answered",
        "appeals:Appeal.Closed",
        "appeals:Appeal.Reopened",
    ]
    received = store_ledger.mapper.transcoder.decode(stored[0].state)
    assert received["originator_topic"] == AGGREGATE_TOPIC


# --- upcasting ------------------------------------------------------------------------


def test_a_new_answer_is_stored_as_class_version_four(
    appeals: AppealFactory, store_ledger: AppealsLedger
) -> None:
    appeal = appeals.in_state("answered")
    store_ledger.save(appeal)

    answered = store_ledger.recorder.select_events(appeal.id)[-1]

    state = store_ledger.mapper.transcoder.decode(answered.state)
    assert answered.topic == "appeals:Appeal.Answered"
    assert state["class_version"] == 4
    assert (state["text"], state["final"], state["public"], state["text_key"]) == (
        "The light was repaired.",
        True,
        False,
        None,
    )
    assert state["time_reason"] is None


def test_a_new_receipt_is_stored_as_class_version_five_with_its_text_sealed(
    store_ledger: AppealsLedger,
) -> None:
    recorded = store_ledger.receive_appeal(
        channel="vk",
        external_id="v2-1",
        text="Lenina 5, +7 900 000-00-00",
        body="city-hall",
        citizen=Citizen(name="Ivan Petrov"),
    )

    received = store_ledger.recorder.select_events(recorded.appeal_id)[0]

    state = store_ledger.mapper.transcoder.decode(received.state)
    assert received.topic == "appeals:Appeal.Received"
    assert state["class_version"] == 5
    assert state["source"] is None
    assert state["department"] is None
    assert state["text_key"] is not None
    assert "Lenina" not in state["text"]
    assert (
        store_ledger.open_text(store_ledger.get_appeal(recorded.appeal_id))
        == "Lenina 5, +7 900 000-00-00"
    )
