"""A delivery worker killed with SIGKILL mid-delivery and restarted posts nothing twice."""

from __future__ import annotations

from tests.channels.conftest import TG_BOT, VK_GROUP, Channels, add_sources
from tests.channels.crash import assert_in_doubt, crashing_fixture, kill_mid_delivery
from tests.channels.fakes import FakePlatform
from tests.channels.payloads import TG_HEADERS, tg_update, vk_message
from tests.channels.test_delivery import appeal_id, deliveries, history, posts_to
from tests.waiting import until

JSON = "application/json"

crashing = crashing_fixture(
    FakePlatform, add_sources, "APPEALS_VK_API_URL", "APPEALS_TELEGRAM_API_URL"
)


def test_a_killed_worker_resends_to_vk_with_the_same_key_and_posts_once(
    crashing: tuple[Channels, FakePlatform],
) -> None:
    channels, fake = crashing
    channels.post(f"/channels/vk/{VK_GROUP}", vk_message(7001), JSON)
    appeal = appeal_id(channels, f"vk:{VK_GROUP}", ":m7001")

    kill_mid_delivery(channels, fake, appeal, "Ответ, переживший сбой.", "server-2.log")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}], 60)
    calls = [p for path, p in fake.requests if path == "/method/messages.send"]
    assert len(calls) == 2
    assert calls[0]["random_id"] == calls[1]["random_id"]
    assert len(posts_to(fake, "messages.send", message="Ответ, переживший сбой.")) == 1
    assert [kind for kind, _ in deliveries(channels, appeal)] == ["AnswerDelivered"]


def test_a_killed_worker_does_not_resend_to_telegram_and_says_it_is_in_doubt(
    crashing: tuple[Channels, FakePlatform],
) -> None:
    channels, fake = crashing
    channels.post(f"/channels/telegram/{TG_BOT}", tg_update(810001, 41), JSON, **TG_HEADERS)
    appeal = appeal_id(channels, f"telegram:{TG_BOT}", ":41")

    kill_mid_delivery(channels, fake, appeal, "Одно сообщение.", "server-2.log")

    assert_in_doubt(channels, appeal)
    assert len([p for path, p in fake.requests if path.endswith("/sendMessage")]) == 1
    assert len(posts_to(fake, "sendMessage", text="Одно сообщение.")) == 1
