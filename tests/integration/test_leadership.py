"""One process per store runs the projection duty; another takes over when it stops."""

from __future__ import annotations

import threading

import psycopg
import pytest

from api.container import Container
from api.runtime import leader
from api.runtime.leader import Leadership, Lock, lock_for
from api.storage.store import parse_store
from tests.waiting import until


class Recorded:
    """A duty that only notes whether it runs; ``dead`` makes it report a stopped thread."""

    def __init__(self, runs: list[str], name: str, *, fail_start: bool = False) -> None:
        self.runs, self.name, self.fail_start = runs, name, fail_start
        self.dead = False

    def start(self) -> None:
        self.runs.append(self.name)
        if self.fail_start:
            raise RuntimeError("the duty could not start")

    def alive(self) -> bool:
        return not self.dead

    def stop(self) -> None:
        self.runs.remove(self.name)


class CountingLock:
    """A contender's lock that counts the times it was asked for and refused."""

    def __init__(self, lock: Lock) -> None:
        self.lock = lock
        self.refusals = 0

    def acquire(self) -> bool:
        acquired = self.lock.acquire()
        self.refusals += not acquired
        return acquired

    def alive(self) -> bool:
        return self.lock.alive()

    def release(self) -> None:
        self.lock.release()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leader, "RETRY_SECONDS", 0.05)


def test_exactly_one_contender_runs_the_duty_and_another_takes_over(
    container: Container,
) -> None:
    runs: list[str] = []
    lock = threading.Lock()

    locks: dict[str, CountingLock] = {}

    def contender(name: str) -> Leadership:
        def duty() -> Recorded:
            with lock:
                return Recorded(runs, name)

        locks[name] = CountingLock(lock_for(container.store))
        return Leadership(locks[name], duty)

    first, second = contender("first"), contender("second")
    first.start()
    until(lambda: first.held)
    second.start()
    # The second contender has asked for the lock (and been refused) several times.
    until(lambda: locks["second"].refusals >= 3)

    assert runs == ["first"]
    assert not second.held

    first.stop()
    until(lambda: second.held)
    assert runs == ["second"]

    second.stop()
    assert runs == []
    assert not first.held and not second.held


def test_a_holder_whose_session_dies_stands_down_and_another_takes_over(
    postgres_url: str,
) -> None:
    store = parse_store(postgres_url)
    runs: list[str] = []
    first = Leadership(lock_for(store), lambda: Recorded(runs, "first"))
    first.start()
    until(lambda: first.held)
    second = Leadership(lock_for(store), lambda: Recorded(runs, "second"))
    second.start()

    with psycopg.connect(store.conninfo, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
        )
    until(lambda: second.held and not first.held)

    assert runs == ["second"]
    first.stop()
    second.stop()
    assert runs == []


def test_a_duty_that_stops_by_itself_gives_the_lock_to_a_fresh_one(
    container: Container,
) -> None:
    runs: list[str] = []
    duties: list[Recorded] = []

    def duty() -> Recorded:
        duties.append(Recorded(runs, f"duty-{len(duties)}"))
        return duties[-1]

    contender = Leadership(lock_for(container.store), duty)
    contender.start()
    until(lambda: contender.held)

    duties[0].dead = True  # its thread died
    until(lambda: len(duties) == 2 and contender.held)

    assert runs == ["duty-1"]
    contender.stop()
    assert runs == []


def test_a_duty_that_fails_to_start_is_stopped_and_the_lock_released(
    container: Container,
) -> None:
    runs: list[str] = []
    attempts: list[Recorded] = []

    def failing_duty() -> Recorded:
        attempts.append(Recorded(runs, "failing", fail_start=True))
        return attempts[-1]

    failing = Leadership(lock_for(container.store), failing_duty)
    failing.start()
    until(lambda: len(attempts) >= 2)  # the lock was let go and taken again
    failing.stop()

    assert runs == []  # every half-started duty was stopped
    assert not failing.held
    healthy = Leadership(lock_for(container.store), lambda: Recorded(runs, "healthy"))
    healthy.start()
    until(lambda: healthy.held)
    assert runs == ["healthy"]
    healthy.stop()
