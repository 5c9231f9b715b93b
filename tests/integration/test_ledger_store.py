"""The ledger on real SQLite and real PostgreSQL: lifecycle, idempotency, time travel."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder

from api.bootstrap import build
from api.container import Container
from api.settings import Settings
from ledger.domain import Appeal, appeal_id_for
from ledger.errors import InvalidTransitionError, NotFoundError
from ledger.privacy import Citizen
from ledger.values import Actor, Role, Status

OPERATOR = Actor("op-7", Role.OPERATOR)


def _receive(container: Container, external_id: str = "msg-1") -> object:
    return container.ledger.receive_appeal(
        channel="pos",
        external_id=external_id,
        text="Не горят фонари на улице Мира",
        body="Администрация города",
        citizen=Citizen(name="Иван Петров", contact="ivan@example.ru"),
    )


def _id_of(external_id: str) -> UUID:
    return appeal_id_for("pos", external_id)


def _stored_count(container: Container) -> int:
    return container.ledger.recorder.max_notification_id() or 0


def test_a_whole_lifecycle_is_recorded_in_order_with_positions(container: Container) -> None:
    ledger = container.ledger
    appeal_id = ledger.receive_appeal(
        channel="email", external_id="m-1", text="Яма на дороге", body="Администрация"
    ).appeal_id

    ledger.register_appeal(appeal_id, number="ОГ-1", actor=OPERATOR)
    ledger.assign_appeal(appeal_id, department="Дороги", assignee="petrov", actor=OPERATOR)
    ledger.answer_appeal(appeal_id, text="Отремонтировано", actor=OPERATOR)
    ledger.close_appeal(appeal_id, outcome="resolved", actor=OPERATOR)
    ledger.reopen_appeal(appeal_id, reason="Яма снова открылась", actor=OPERATOR)
    last = ledger.answer_appeal(appeal_id, text="Повторно отремонтировано", actor=OPERATOR)
    ledger.rate_appeal(appeal_id, score=5, actor=Actor("citizen", Role.PUBLIC))

    history = ledger.history(appeal_id)
    assert [type(entry.event).__name__ for entry in history] == [
        "Received",
        "Registered",
        "Assigned",
        "Answered",
        "Closed",
        "Reopened",
        "Answered",
        "Rated",
    ]
    positions = [entry.position for entry in history if entry.position is not None]
    assert len(positions) == len(history)
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    assert history[6].position == last.position
    assert ledger.get_appeal(appeal_id).status is Status.ANSWERED
    assert ledger.get_appeal(appeal_id).rating == 5


def test_a_redelivered_message_returns_the_same_appeal_and_records_nothing(
    container: Container,
) -> None:
    first = _receive(container)
    before = _stored_count(container)

    again = _receive(container)

    assert again.appeal_id == first.appeal_id  # type: ignore[attr-defined]
    assert again.created is False  # type: ignore[attr-defined]
    assert _stored_count(container) == before


def test_a_refused_transition_leaves_the_store_unchanged(container: Container) -> None:
    appeal_id = _receive(container).appeal_id  # type: ignore[attr-defined]
    before = _stored_count(container)

    with pytest.raises(InvalidTransitionError) as refused:
        container.ledger.reopen_appeal(appeal_id, reason="нет причины", actor=OPERATOR)

    assert refused.value.status == "received"
    assert refused.value.action == "reopen"
    assert _stored_count(container) == before
    assert container.ledger.get_appeal(appeal_id).version == 1


def test_the_state_as_of_a_past_instant_excludes_later_events(container: Container) -> None:
    ledger = container.ledger
    appeal_id = _receive(container).appeal_id  # type: ignore[attr-defined]
    ledger.register_appeal(appeal_id, number="ОГ-2", actor=OPERATOR)
    between = datetime.now(UTC)
    ledger.assign_appeal(appeal_id, department="Свет", assignee="ivanova", actor=OPERATOR)

    then = ledger.get_appeal_as_of(appeal_id, between)
    now = ledger.get_appeal(appeal_id)

    assert then.status is Status.REGISTERED
    assert then.department is None
    assert now.status is Status.ASSIGNED
    with pytest.raises(NotFoundError):
        ledger.get_appeal_as_of(appeal_id, between - timedelta(days=1))


def test_erasing_a_citizen_hides_their_data_but_keeps_the_stored_bytes(
    container: Container,
) -> None:
    ledger = container.ledger
    appeal_id = _receive(container).appeal_id  # type: ignore[attr-defined]
    appeal = ledger.get_appeal(appeal_id)
    assert ledger.open_citizen(appeal) == Citizen(name="Иван Петров", contact="ivan@example.ru")
    stored_before = [n.state for n in ledger.recorder.select_notifications(start=1, limit=10)]
    before_erasure = datetime.now(UTC)

    ledger.erase_citizen_data(
        appeal.citizen_id or "", [appeal_id], legal_basis="152-ФЗ ст. 21", actor=OPERATOR
    )

    erased = ledger.get_appeal(appeal_id)
    assert erased.erased is True
    sealed_copy = ledger.get_appeal_as_of(appeal_id, before_erasure)
    assert sealed_copy.citizen is not None
    assert ledger.open_citizen(sealed_copy) is None
    stored_after = [n.state for n in ledger.recorder.select_notifications(start=1, limit=10)]
    assert stored_after[: len(stored_before)] == stored_before
    assert b"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd" not in b"".join(stored_after)  # "Иван" in UTF-8


def _new(container: Container, external_id: str) -> Appeal:
    appeal = container.ledger.new_appeal(
        channel="email", external_id=external_id, text="Яма на дороге", body="Администрация"
    )
    appeal.register(number=f"ОГ-{external_id}", actor=OPERATOR, at=appeal.received_at)
    return appeal


def test_a_save_returns_the_positions_the_log_gives_its_events(container: Container) -> None:
    ledger = container.ledger
    _receive(container, "before")
    first, second = _new(container, "a"), _new(container, "b")

    recordings = ledger.save(first, second)

    logged = ledger.recorder.select_notifications(start=1, limit=100)
    by_event = {(n.originator_id, n.originator_version): n.id for n in logged}
    returned = [
        (r.notification.originator_id, r.notification.originator_version, r.notification.id)
        for r in recordings
    ]
    assert [(o, v) for o, v, _ in returned] == [
        (first.id, 1),
        (first.id, 2),
        (second.id, 1),
        (second.id, 2),
    ]
    assert [position for _, _, position in returned] == [by_event[o, v] for o, v, _ in returned]


def test_a_save_that_collides_writes_none_of_its_events(container: Container) -> None:
    ledger = container.ledger
    stored = _new(container, "stored")
    ledger.save(stored)
    fresh, again = _new(container, "fresh"), _new(container, "stored")

    with pytest.raises(IntegrityError):
        ledger.save(fresh, again)

    with pytest.raises(NotFoundError):
        ledger.get_appeal(fresh.id)
    _receive(container, "after")
    logged = ledger.recorder.select_notifications(start=1, limit=100)
    assert [n.originator_id for n in logged] == [stored.id, stored.id, _id_of("after")]


@pytest.mark.postgres
def test_many_processes_creating_the_tables_at_once_all_succeed(postgres_url: str) -> None:
    settings = Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url})
    first = build(settings)
    # Four at once: enough to race, few enough to share the server with a parallel test run.
    recorders = [build(settings) for _ in range(3)] + [first]
    barrier = threading.Barrier(len(recorders))
    failures: list[BaseException] = []

    def create(container: Container) -> None:
        barrier.wait()
        try:
            recorder = container.ledger.recorder
            assert isinstance(recorder, PostgresApplicationRecorder)
            recorder.create_table()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            failures.append(error)

    threads = [threading.Thread(target=create, args=(c,)) for c in recorders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for container in recorders:
        container.close()

    assert failures == []
