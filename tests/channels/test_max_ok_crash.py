"""A worker killed with SIGKILL while MAX or OK holds its call posts nothing twice on restart."""

from __future__ import annotations

from tests.channels.conftest import Channels
from tests.channels.crash import assert_in_doubt, crashing_fixture, kill_mid_delivery
from tests.channels.fakes_chat import MAX_TOKEN, OK_TOKEN, FakeMessengers
from tests.channels.payloads_chat import (
    MAX_BOT,
    MAX_SECRET,
    OK_GROUP,
    OK_SECRET,
    max_message,
    ok_message,
)
from tests.channels.test_delivery import appeal_id

JSON = "application/json"


def add_max_and_ok(channels: Channels) -> None:
    """A MAX bot and an OK group, added as an operator would."""
    for channel, source, secret, token in (
        ("max", MAX_BOT, MAX_SECRET, MAX_TOKEN),
        ("ok", OK_GROUP, OK_SECRET, OK_TOKEN),
    ):
        (channels.folder / channel).write_text(token)
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
            str(channels.folder / channel),
        )
        assert result.returncode == 0, result.stderr


crashing = crashing_fixture(
    FakeMessengers, add_max_and_ok, "APPEALS_MAX_API_URL", "APPEALS_OK_API_URL"
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

    kill_mid_delivery(channels, fake, max_appeal, "Одно сообщение.", "server-2.log")
    kill_mid_delivery(channels, fake, ok_appeal, "Одно сообщение.", "server-3.log")

    assert_in_doubt(channels, max_appeal)
    assert_in_doubt(channels, ok_appeal)
    assert [c.path for c in fake.calls] == ["/messages", "/graph/me/messages/chat:C3ecb9d02a600"]
    assert len(fake.posts) == 2
