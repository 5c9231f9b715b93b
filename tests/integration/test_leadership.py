"""One process per store runs the projection duty; another takes over when it stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from api import leader
from api.container import Container
from api.leader import Leadership, lock_for
from api.store import parse_store


class Recorded:
    """A duty that only notes whether it runs."""

    def __init__(self, runs: list[str], name: str) -> None:
        self.runs, self.name = runs, name

    def start(self) -> None:
        self.runs.append(self.name)

    def stop(self) -> None:
        self.runs.remove(self.name)


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leader, "RETRY_SECONDS", 0.05)


def test_exactly_one_contender_runs_the_duty_and_another_takes_over(
    container: Container,
) -> None:
    runs: list[str] = []
    lock = threading.Lock()

    def contender(name: str) -> Leadership:
        def duty() -> Recorded:
            with lock:
                return Recorded(runs, name)

        return Leadership(lock_for(container.store), duty)

    first, second = contender("first"), contender("second")
    first.start()
    _until(lambda: first.held)
    second.start()
    time.sleep(0.3)  # several retries of the second contender

    assert runs == ["first"]
    assert not second.held

    first.stop()
    _until(lambda: second.held)
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
    _until(lambda: first.held)
    second = Leadership(lock_for(store), lambda: Recorded(runs, "second"))
    second.start()

    with psycopg.connect(store.conninfo, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
        )
    _until(lambda: second.held and not first.held)

    assert runs == ["second"]
    first.stop()
    second.stop()
    assert runs == []
