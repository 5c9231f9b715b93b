"""Read-your-writes waiting: positions pushed by the worker or the views' NOTIFY, else polled."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from api.bootstrap import build, read_side
from api.container import Container
from api.runtime import watcher as watcher_module
from api.runtime.advances import ViewsListener
from api.runtime.watcher import PositionWatcher
from api.settings import Settings
from projections.assembly import ReadSide
from tests.waiting import until


def _received(container: Container, external_id: str) -> int:
    recorded = container.ledger.receive_appeal(
        channel="vk", external_id=external_id, text="Яма на дороге", body="Администрация"
    )
    assert recorded.position is not None
    return recorded.position


def _counting_queries(side: ReadSide, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queries: list[int] = []
    read_models = side.read_models
    positions: Callable[[], dict[str, int]] = read_models.positions

    def counted() -> dict[str, int]:
        queries.append(1)
        return positions()

    monkeypatch.setattr(read_models, "positions", counted)
    return queries


def test_a_waiter_wakes_when_the_local_worker_gets_there(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    side = read_side(container)
    side.runner.setup()
    monkeypatch.setattr(watcher_module, "FALLBACK_SECONDS", 60.0)
    queries = _counting_queries(side, monkeypatch)
    watcher = PositionWatcher(side.read_models, lambda: True)
    side.runner.on_advance.append(watcher.advance_threadsafe)
    position = _received(container, "local")

    async def scenario() -> tuple[bool, bool]:
        waiting = asyncio.create_task(watcher.wait(position, timeout=5))
        await asyncio.sleep(0.01)
        early = waiting.done()
        # The worker runs in a thread of its own, as in the API process.
        worker = threading.Thread(target=side.runner.catch_up)
        worker.start()
        woke = await waiting
        worker.join()
        return early, woke

    early, woke = asyncio.run(scenario())

    assert (early, woke) == (False, True)
    assert queries == []  # woken by the push: the views were never queried


@pytest.mark.postgres
def test_a_waiter_wakes_on_the_views_notify_when_another_process_projected(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url})
    here, there = build(settings), build(settings)
    try:
        mine, theirs = read_side(here), read_side(there)
        theirs.runner.setup()
        monkeypatch.setattr(watcher_module, "FALLBACK_SECONDS", 60.0)
        queries = _counting_queries(mine, monkeypatch)
        watcher = PositionWatcher(mine.read_models, lambda: True)
        listener = ViewsListener(
            mine.db.datastore,  # type: ignore[attr-defined]
            mine.db.views_channel,
            watcher.advance_threadsafe,
        )
        position = _received(there, "elsewhere")

        async def scenario() -> bool:
            waiting = asyncio.create_task(watcher.wait(position, timeout=10))
            await asyncio.sleep(0.2)  # the listener is up and the waiter parked
            await asyncio.get_running_loop().run_in_executor(None, theirs.runner.catch_up)
            return await waiting

        listener.start()
        until(lambda: listener._thread is not None and listener._thread.is_alive())
        woke = asyncio.run(scenario())
        listener.stop()
    finally:
        here.close()
        there.close()

    assert woke is True
    assert queries == []  # the NOTIFY woke it, not a query


def test_a_waiter_wakes_on_the_views_when_nothing_pushes(container: Container) -> None:
    side = read_side(container)
    side.runner.setup()
    position = _received(container, "other-process")
    side.runner.catch_up()
    watcher = PositionWatcher(side.read_models)

    assert asyncio.run(watcher.wait(position, timeout=5)) is True


def test_a_lost_push_is_made_up_by_the_fallback_query(container: Container) -> None:
    side = read_side(container)
    side.runner.setup()
    position = _received(container, "lost-push")
    side.runner.catch_up()
    watcher = PositionWatcher(side.read_models, lambda: True)  # pushes expected, none come

    assert asyncio.run(watcher.wait(position, timeout=5)) is True


def test_a_waiter_gives_up_after_its_timeout(container: Container) -> None:
    side = read_side(container)
    side.runner.setup()
    position = _received(container, "never-projected")
    for pushed in (lambda: False, lambda: True):
        watcher = PositionWatcher(side.read_models, pushed)

        assert asyncio.run(watcher.wait(position, timeout=0.1)) is False
