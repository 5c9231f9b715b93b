"""A projection worker survives a failed step: it logs it, waits and goes on."""

from __future__ import annotations

import pytest

from api.bootstrap import read_side
from api.container import Container
from tests.waiting import until


def test_a_failed_step_is_retried_and_the_views_catch_up(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    side = read_side(container)
    side.runner.setup()
    real_step = side.runner.step
    failures: list[int] = []

    def flaky_step(limit: int | None = None) -> int:
        if not failures:
            failures.append(1)
            raise ConnectionError("the store went away for a moment")
        return real_step(limit)

    monkeypatch.setattr(side.runner, "step", flaky_step)
    position = container.ledger.receive_appeal(
        channel="vk", external_id="retry", text="Яма на дороге", body="Администрация"
    ).position
    assert position is not None
    follower = side.worker(poll=0.01)
    follower.start()
    try:
        until(lambda: min(side.read_models.positions().values()) >= position, timeout=10)

        assert failures == [1]
        assert follower.is_alive()
    finally:
        follower.stop()
