"""A server a test kills with SIGKILL mid-delivery and restarts, beside a fake platform."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.api.conftest import empty_store, start_server, stop_server
from tests.channels.conftest import Channels, channel_env, server_settings
from tests.channels.fake_server import FakeServer
from tests.channels.test_delivery import answer
from tests.waiting import until


@contextmanager
def crashing_server(
    store: str, folder: Path, fake: FakeServer, add: Callable[[Channels], None], *urls: str
) -> Iterator[Channels]:
    """A server on a new ``store`` whose ``urls`` settings name ``fake``; ``add`` adds sources."""
    fake.start()
    with empty_store(store, folder) as database_url:
        env = channel_env(
            database_url,
            folder,
            **dict.fromkeys(urls, fake.url),
            APPEALS_DELIVERY_TIMEOUT="1",
            APPEALS_DELIVERY_RETRY_SECONDS="0.2",
        )
        server = start_server(database_url, folder / "server-1.log", **server_settings(env))
        channels = Channels(server, env, folder)
        try:
            add(channels)  # inside: a failed add must still stop the server
            yield channels
        finally:
            fake.stop()
            stop_server(channels.server)


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
