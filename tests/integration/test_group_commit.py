"""Group commit: concurrent appends share a transaction, and each keeps its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import pytest

from api.bootstrap import build
from api.container import Container
from api.settings import Settings
from api.storage.groupcommit import GroupCommit
from api.storage.pgrecorder import OrderedFunctionRecorder
from ledger.application import Recorded
from ledger.errors import ConflictError
from ledger.values import Actor, Role
from tests.waiting import until

OPERATOR = Actor("op-1", Role.OPERATOR)


class GatedWriter:
    """A batch writer that holds its first batch until told, and records every batch."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, items: Sequence[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.entered.set()
            self.release.wait(10)
        return [ValueError(n) if n < 0 else n * 10 for n in items]


def _submit_all(commit: GroupCommit[int, int], items: list[int]) -> dict[int, object]:
    outcomes: dict[int, object] = {}

    def one(item: int) -> None:
        try:
            outcomes[item] = commit.submit(item)
        except ValueError as error:
            outcomes[item] = error

    threads = [threading.Thread(target=one, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return outcomes


def test_callers_arriving_during_a_write_share_the_next_batch() -> None:
    writer = GatedWriter()
    commit: GroupCommit[int, int] = GroupCommit(writer)
    first = threading.Thread(target=commit.submit, args=(1,))
    first.start()
    writer.entered.wait(10)
    waiting = threading.Thread(target=lambda: _submit_all(commit, [2, 3, -4, 5]))
    waiting.start()
    until(lambda: len(commit._pending) == 4)

    writer.release.set()
    first.join(10)
    waiting.join(10)

    assert writer.batches[0] == [1]
    assert sorted(writer.batches[1]) == [-4, 2, 3, 5]
    assert len(writer.batches) == 2


def test_each_caller_gets_its_own_result_or_error() -> None:
    writer = GatedWriter()
    writer.release.set()
    commit: GroupCommit[int, int] = GroupCommit(writer)

    outcomes = _submit_all(commit, [1, -2, 3, -4])

    assert outcomes[1] == 10
    assert outcomes[3] == 30
    assert isinstance(outcomes[-2], ValueError)
    assert isinstance(outcomes[-4], ValueError)


def test_a_failed_batch_fails_every_caller_in_it_and_the_next_batch_still_runs() -> None:
    calls: list[list[int]] = []

    def broken_then_fine(items: Sequence[int]) -> list[int | BaseException]:
        calls.append(list(items))
        if len(calls) == 1:
            raise ValueError("connection lost")
        return list(items)

    commit: GroupCommit[int, int] = GroupCommit(broken_then_fine)

    with pytest.raises(ValueError, match="connection lost"):
        commit.submit(1)
    assert commit.submit(2) == 2


def test_batches_are_bounded() -> None:
    writer = GatedWriter()
    commit: GroupCommit[int, int] = GroupCommit(writer, limit=3)
    first = threading.Thread(target=commit.submit, args=(0,))
    first.start()
    writer.entered.wait(10)
    waiting = threading.Thread(target=lambda: _submit_all(commit, list(range(1, 8))))
    waiting.start()
    until(lambda: len(commit._pending) == 7)

    writer.release.set()
    first.join(10)
    waiting.join(10)

    assert all(len(batch) <= 3 for batch in writer.batches)
    assert sorted(n for batch in writer.batches for n in batch) == list(range(8))


# --- on PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Container]:
    built = build(Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url}))
    yield built
    built.close()


def _receive(container: Container, external_id: str) -> Recorded:
    return container.ledger.receive_appeal(
        channel="vk", external_id=external_id, text="Яма на дороге", body="Администрация"
    )


@pytest.mark.postgres
def test_a_colliding_command_fails_alone_in_a_shared_transaction(pg: Container) -> None:
    stored = _receive(pg, "stored-before")
    ledger = pg.ledger
    fresh = [
        ledger.new_appeal(channel="vk", external_id=f"new-{n}", text="Яма", body="Адм")
        for n in range(2)
    ]
    again = ledger.new_appeal(channel="vk", external_id="stored-before", text="Яма", body="Адм")
    commands = [
        ledger.events.mapper.to_stored_event(a.collect_events()[0])
        for a in (fresh[0], again, fresh[1])
    ]

    assert isinstance(ledger.recorder, OrderedFunctionRecorder)
    outcomes = ledger.recorder._write_commands([[c] for c in commands])

    assert isinstance(outcomes[1], Exception)
    first, last = outcomes[0], outcomes[2]
    assert not isinstance(first, BaseException) and not isinstance(last, BaseException)
    assert len(first) == 1 and len(last) == 1 and first[0] < last[0]
    assert ledger.get_appeal(fresh[0].id).version == 1
    assert ledger.get_appeal(fresh[1].id).version == 1
    assert ledger.get_appeal(stored.appeal_id).version == 1
    positions = [n.id for n in ledger.recorder.select_notifications(0, 10)]
    assert positions == sorted(positions)
    assert len(positions) == 3


@pytest.mark.postgres
def test_two_writers_on_one_version_in_one_process_give_exactly_one_conflict(
    pg: Container,
) -> None:
    appeal_id = _receive(pg, "race").appeal_id
    barrier = threading.Barrier(8)
    outcomes: list[Recorded | ConflictError] = []

    def writer(who: str) -> None:
        barrier.wait()
        try:
            outcomes.append(
                pg.ledger.assign_appeal(
                    appeal_id,
                    department="ЖКХ",
                    assignee=who,
                    actor=OPERATOR,
                    expected_version=1,
                )
            )
        except ConflictError as conflict:
            outcomes.append(conflict)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(isinstance(o, Recorded) for o in outcomes) == 1
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 7
    assert pg.ledger.get_appeal(appeal_id).version == 2


@pytest.mark.postgres
def test_concurrent_receipts_are_all_stored_once_in_id_order(pg: Container) -> None:
    barrier = threading.Barrier(12)
    recorded: list[Recorded] = []

    def receiver(n: int) -> None:
        barrier.wait()
        # Every external id is sent twice at once: one is stored, the other finds it.
        recorded.append(_receive(pg, f"msg-{n // 2}"))

    threads = [threading.Thread(target=receiver, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    created = [r for r in recorded if r.created]
    assert len(recorded) == 12
    assert len(created) == 6
    assert {r.appeal_id for r in created} == {r.appeal_id for r in recorded}
    notifications = pg.ledger.recorder.select_notifications(0, 100)
    assert [n.id for n in notifications] == sorted(r.position for r in created)  # type: ignore[type-var]
