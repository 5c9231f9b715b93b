"""A worker killed with SIGKILL while MAX or OK holds its call posts nothing twice on restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import empty_store, start_server, stop_server
from tests.channels.conftest import Channels, channel_env, server_settings
from tests.channels.fakes_chat import MAX_TOKEN, OK_TOKEN, FakeMessengers
from tests.channels.payloads_chat import (
    MAX_BOT,
    MAX_SECRET,
    OK_GROUP,
    OK_SECRET,
    max_message,
    ok_message,
)
from tests.channels.test_delivery import answer, appeal_id, deliveries, history
from tests.waiting import until

JSON = "application/json"


@pytest.fixture(params=["sqlite", "postgres"])
def crashing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Channels, FakeMessengers]]:
    fake = FakeMessengers().start()
    with empty_store(request.param, tmp_path) as database_url:
        env = channel_env(
            database_url,
            tmp_path,
            APPEALS_MAX_API_URL=fake.url,
            APPEALS_OK_API_URL=fake.url,
            APPEALS_DELIVERY_TIMEOUT="1",
            APPEALS_DELIVERY_RETRY_SECONDS="0.2",
        )
        server = start_server(database_url, tmp_path / "server-1.log", **server_settings(env))
        channels = Channels(server, env, tmp_path)
        try:
            for channel, source, secret, token in (
                ("max", MAX_BOT, MAX_SECRET, MAX_TOKEN),
                ("ok", OK_GROUP, OK_SECRET, OK_TOKEN),
            ):
                (tmp_path / channel).write_text(token)
                result = channels.cli(
                    "sources",
                    "add",
                    channel,
                    source,
                    "--body",
                    "b",
                    "--secret",
                    secret,
                    "--token-file",
                    str(tmp_path / channel),
                )
                assert result.returncode == 0, result.stderr
            yield channels, fake
        finally:
            fake.stop()
            stop_server(channels.server)


def kill_mid_delivery(channels: Channels, fake: FakeMessengers, global_id: str, log: str) -> None:
    """Answer, let the fake publish it but hold its answer, SIGKILL the server, restart."""
    fake.hold = threading.Event()
    fake.hold.set()
    fake.held.clear()
    answer(channels, global_id, "Одно сообщение.")
    until(fake.held.is_set)
    channels.server.process.kill()
    channels.server.process.wait()
    fake.hold.clear()
    channels.server = start_server(
        channels.server.database_url, channels.folder / log, **server_settings(channels.env)
    )


def test_a_killed_worker_sends_to_max_and_ok_once_and_says_it_is_in_doubt(
    crashing: tuple[Channels, FakeMessengers],
) -> None:
    channels, fake = crashing
    channels.post(
        f"/channels/max/{MAX_BOT}",
        max_message("mid.cra5h"),
        JSON,
        **{"x-max-bot-api-secret": MAX_SECRET},
    )
    channels.post(f"/channels/ok/{OK_GROUP}?secret={OK_SECRET}", ok_message("mid:C9.cra5h"), JSON)
    max_appeal = appeal_id(channels, f"max:{MAX_BOT}", ":mid.cra5h")
    ok_appeal = appeal_id(channels, f"ok:{OK_GROUP}", ":mid:C9.cra5h")

    kill_mid_delivery(channels, fake, max_appeal, "server-2.log")
    kill_mid_delivery(channels, fake, ok_appeal, "server-3.log")

    for appeal in (max_appeal, ok_appeal):
        until(lambda a=appeal: history(channels, a)["answers"] == [{"delivery": "failed"}], 60)
        [(kind, error)] = deliveries(channels, appeal)
        assert kind == "DeliveryFailed"
        assert str(error).startswith("in doubt: the worker stopped during attempt 1")
    assert [c.path for c in fake.calls] == ["/messages", "/graph/me/messages/chat:C3ecb9d02a600"]
    assert len(fake.posts) == 2
