"""Old versions of stored events still load: each upcaster, on every store kind.

Events written by earlier versions stay in the log for ever; a change to an event class
adds a version and an upcaster, and these tests load the earlier shape through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.values import Status
from tests.domain.conftest import receive_routed
from tests.domain.test_topics import AGGREGATE_TOPIC

if TYPE_CHECKING:
    from tests.domain.conftest import AppealFactory


def store_old_event(
    ledger: AppealsLedger, appeal_id: UUID, version: int, event: str, state: dict[str, Any]
) -> None:
    """Write an appeal's ``event`` with ``state`` as an earlier version of the code stored it."""
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=appeal_id,
                originator_version=version,
                topic=f"appeals:Appeal.{event}",
                state=ledger.mapper.transcoder.encode(state),
            )
        ]
    )


def current_receipt(ledger: AppealsLedger, appeals: AppealFactory) -> dict[str, Any]:
    """The state today's code stores for the factory's Received event."""
    stored = ledger.mapper.to_stored_event(appeals.received().collect_events()[0])
    state: dict[str, Any] = ledger.mapper.transcoder.decode(stored.state)
    return state


def store_version_one_after(
    ledger: AppealsLedger, appeal: Appeal, event: str, **fields: object
) -> dict[str, Any]:
    """Store a version-1 ``event`` after the saved appeal's last one; returns that last state.

    A version-1 event had no ``class_version``: only the fields every event has, and its own.
    """
    last: dict[str, Any] = ledger.mapper.transcoder.decode(
        ledger.recorder.select_events(appeal.id)[-1].state
    )
    state = {
        "timestamp": last["timestamp"],
        "originator_topic": AGGREGATE_TOPIC,
        "actor_id": "operator-1",
        "actor_role": "operator",
        "at": last["at"],
        **fields,
    }
    store_old_event(ledger, appeal.id, appeal.version + 1, event, state)
    return last


def test_a_version_one_receipt_loads_with_its_text_in_clear(
    appeals: AppealFactory, store_ledger: AppealsLedger
) -> None:
    current = current_receipt(store_ledger, appeals)
    # What a version-1 Received event looked like: no ``text_key`` and no ``class_version``.
    version_one_state = {
        k: v
        for k, v in current.items()
        if k not in {"text_key", "class_version", "time_reason", "source", "department"}
    }
    store_old_event(store_ledger, appeals.received().id, 1, "Received", version_one_state)

    loaded = store_ledger.get_appeal(appeals.received().id)

    assert loaded.text_key is None
    assert store_ledger.open_text(loaded) == "The street light on Lenina 5 is broken."


def test_a_version_four_receipt_loads_routed_to_no_department(
    appeals: AppealFactory, store_ledger: AppealsLedger
) -> None:
    current = current_receipt(store_ledger, appeals)
    version_four = {k: v for k, v in current.items() if k != "department"} | {"class_version": 4}
    store_old_event(store_ledger, appeals.received().id, 1, "Received", version_four)

    loaded = store_ledger.get_appeal(appeals.received().id)

    assert (loaded.department, loaded.source, loaded.body) == (None, None, "city-hall")


def test_a_receipt_routed_to_a_department_stays_received_in_its_queue(
    store_ledger: AppealsLedger,
) -> None:
    appeal_id = receive_routed(store_ledger)

    appeal = store_ledger.get_appeal(appeal_id)

    assert (appeal.department, appeal.assignee, appeal.status) == (
        "lighting",
        None,
        Status.RECEIVED,
    )


def test_a_version_one_answer_loads_as_not_public(
    appeals: AppealFactory, store_ledger: AppealsLedger
) -> None:
    appeal = appeals.in_state("assigned")
    store_ledger.save(appeal)
    # What a version-1 Answered event looked like: no ``public`` and no ``class_version``.
    previous = store_version_one_after(
        store_ledger,
        appeal,
        "Answered",
        text="An answer written before answers could be published.",
        final=True,
    )

    loaded = store_ledger.get_appeal(appeal.id)

    assert loaded.version == appeal.version + 1
    assert loaded.answers == [
        ("An answer written before answers could be published.", True, False, None, None)
    ]
    assert loaded.answered_at == previous["at"]
    assert loaded.status is Status.ANSWERED


def test_events_written_before_times_had_reasons_load_without_a_reason(
    appeals: AppealFactory, store_ledger: AppealsLedger
) -> None:
    appeal = appeals.received()
    store_ledger.save(appeal)
    # What a version-1 Registered event looked like: no ``time_reason``, no ``class_version``.
    store_version_one_after(store_ledger, appeal, "Registered", number="R-OLD")

    history = store_ledger.history(appeal.id)

    assert [e.event.time_reason for e in history] == [None, None]
    assert store_ledger.get_appeal(appeal.id).registration_number == "R-OLD"
