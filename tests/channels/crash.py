"""A server a test kills with SIGKILL mid-delivery and restarts, beside a fake platform."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.api.conftest import start_server
from tests.channels.conftest import Channels, server_settings, serving
from tests.channels.fake_server import FakeServer
from tests.channels.test_delivery import answer, deliveries, history
from tests.waiting import until

Fake = TypeVar("Fake", bound=FakeServer)


def crashing_fixture(
    platform: type[Fake], add: Callable[[Channels], None], *urls: str
) -> Callable[[pytest.FixtureRequest, Path], Iterator[tuple[Channels, Fake]]]:
    """The ``crashing`` fixture: on each store, a server whose ``urls`` name a ``platform``."""

    @pytest.fixture(params=["sqlite", "postgres"], name="crashing")
    def crashing(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Channels, Fake]]:
        with platform() as fake:
            settings = {
                **dict.fromkeys(urls, fake.url),
                "APPEALS_DELIVERY_TIMEOUT": "1",
                "APPEALS_DELIVERY_RETRY_SECONDS": "0.2",
            }
            with serving(request.param, tmp_path, add, **settings) as channels:
                yield channels, fake

    return crashing


def kill_mid_delivery(
    channels: Channels, fake: FakeServer, global_id: str, text: str, log: str
) -> None:
    """Answer, let the fake publish it but hold its answer, SIGKILL the server, restart."""
    fake.hold = threading.Event()
    fake.hold.set()
    fake.held.clear()
    answer(channels, global_id, text)
    until(fake.held.is_set)
    channels.server.process.kill()
    channels.server.process.wait()
    fake.hold.clear()
    channels.server = start_server(
        channels.server.database_url, channels.folder / log, **server_settings(channels.env)
    )


def assert_in_doubt(channels: Channels, global_id: str) -> None:
    """The answer failed, for one reason only: the worker stopped during its first attempt."""
    until(lambda: history(channels, global_id)["answers"] == [{"delivery": "failed"}], 60)
    [(kind, error)] = deliveries(channels, global_id)
    assert kind == "DeliveryFailed"
    assert str(error).startswith("in doubt: the worker stopped during attempt 1")
