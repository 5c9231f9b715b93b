"""Read-your-writes waiting: the in-process worker's position, the views' as a fallback."""

from __future__ import annotations

import asyncio

import pytest

from api import watcher as watcher_module
from api.container import Container
from api.watcher import PositionWatcher
from api.wiring_projections import read_side


def _received(container: Container, external_id: str) -> int:
    recorded = container.ledger.receive_appeal(
        channel="vk", external_id=external_id, text="Яма на дороге", body="Администрация"
    )
    assert recorded.position is not None
    return recorded.position


def test_a_waiter_wakes_when_the_local_worker_gets_there(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    side = read_side(container)
    side.runner.setup()
    monkeypatch.setattr(watcher_module, "FALLBACK_SECONDS", 60.0)
    queries: list[int] = []
    positions = side.read_models.positions

    def counted() -> dict[str, int]:
        queries.append(1)
        return positions()

    monkeypatch.setattr(side.read_models, "positions", counted)
    local = {"position": 0}
    watcher = PositionWatcher(side.read_models, lambda: local["position"])

    async def scenario() -> tuple[bool, bool]:
        waiting = asyncio.create_task(watcher.wait(7, timeout=5))
        await asyncio.sleep(0.01)
        early = waiting.done()
        local["position"] = 7
        return early, await waiting

    early, woke = asyncio.run(scenario())

    assert (early, woke) == (False, True)
    assert queries == []  # woken from memory: the views were never queried


def test_a_waiter_wakes_on_the_views_when_another_process_projected(
    container: Container,
) -> None:
    side = read_side(container)
    side.runner.setup()
    position = _received(container, "other-process")
    side.runner.catch_up()
    watcher = PositionWatcher(side.read_models, lambda: 0)  # the local worker is behind

    assert asyncio.run(watcher.wait(position, timeout=5)) is True


def test_a_waiter_gives_up_after_its_timeout(container: Container) -> None:
    side = read_side(container)
    side.runner.setup()
    position = _received(container, "never-projected")
    for local in (lambda: None, lambda: 0):
        watcher = PositionWatcher(side.read_models, local)

        assert asyncio.run(watcher.wait(position, timeout=0.1)) is False
