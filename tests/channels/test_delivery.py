"""Answers go back: a public answer reaches the fake platform once, retried through failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.channels.conftest import MAIL_SECRET, MAILBOX, TG_BOT, VK_GROUP, Channels
from tests.channels.fakes import VK_TOKEN, FakePlatform, Mailroom, smtp_server
from tests.channels.payloads import (
    TG_HEADERS,
    TG_USER,
    VK_USER,
    email_message,
    tg_update,
    vk_board_post,
    vk_comment,
    vk_message,
    vk_photo_comment,
)
from tests.waiting import until

JSON = "application/json"
FIND = """query($source: String!) { appeals(filter: {source: $source}, first: 50) {
  edges { node { id externalId answers { public delivery } } } } }"""
ANSWER = """mutation($id: ID!, $text: String!) { answerAppeal(input: {appealId: $id,
  text: $text, public: true, final: false}) { appeal { id } } }"""
HISTORY = """query($id: ID!) { appeal(id: $id) { answers { delivery }
  history { type data } } }"""


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Controller, Mailroom]]:
    controller, room = smtp_server()
    yield controller, room
    controller.stop()


@pytest.fixture(scope="module")
def server_env(platform: FakePlatform, smtp: tuple[Controller, Mailroom]) -> dict[str, str]:
    return {
        "APPEALS_VK_API_URL": platform.url,
        "APPEALS_TELEGRAM_API_URL": platform.url,
        "APPEALS_SMTP_HOST": "127.0.0.1",
        "APPEALS_SMTP_PORT": str(smtp[0].port),
        "APPEALS_DELIVERY_RETRY_SECONDS": "0.2",
        "APPEALS_DELIVERY_ATTEMPTS": "6",
    }


def appeal_id(channels: Channels, source: str, suffix: str) -> str:
    """The global id of the source's appeal whose external id ends with ``suffix``."""

    def found() -> list[str]:
        edges = channels.graphql(FIND, {"source": source})["appeals"]["edges"]  # type: ignore[index]
        return [e["node"]["id"] for e in edges if e["node"]["externalId"].endswith(suffix)]

    until(lambda: len(found()) == 1)
    return found()[0]


def answer(channels: Channels, global_id: str, text: str) -> None:
    channels.graphql(ANSWER, {"id": global_id, "text": text})


def history(channels: Channels, global_id: str) -> dict[str, object]:
    data = channels.graphql(
        HISTORY,
        {"id": global_id},
    )["appeal"]
    assert isinstance(data, dict)
    return data


def deliveries(channels: Channels, global_id: str) -> list[tuple[str, object]]:
    """The delivery events of an appeal's history: (type, attempt or error)."""
    events = history(channels, global_id)["history"]
    assert isinstance(events, list)
    return [
        (e["type"], e["data"].get("error") or e["data"].get("platform_id"))
        for e in events
        if e["type"] in ("AnswerDelivered", "DeliveryFailed")
    ]


def posts_to(fake: FakePlatform, method: str, **params: str) -> list[dict[str, object]]:
    return [
        p.params
        for p in fake.posts
        if p.method == method and all(str(p.params.get(k)) == v for k, v in params.items())
    ]


def test_a_vk_message_is_answered_with_messages_send_once(
    channels: Channels, fake: FakePlatform
) -> None:
    channels.post(f"/channels/vk/{VK_GROUP}", vk_message(6001), JSON)
    appeal = appeal_id(channels, f"vk:{VK_GROUP}", ":m6001")

    answer(channels, appeal, "Яму заделают до пятницы.")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}])
    [post] = posts_to(fake, "messages.send", message="Яму заделают до пятницы.")
    assert post["peer_id"] == str(VK_USER)
    assert post["access_token"] == VK_TOKEN
    assert int(str(post["random_id"])) > 0
    assert [kind for kind, _ in deliveries(channels, appeal)] == ["AnswerDelivered"]


def test_a_vk_comment_is_answered_under_the_same_post(
    channels: Channels, fake: FakePlatform
) -> None:
    channels.post(f"/channels/vk/{VK_GROUP}", vk_comment(20001, post_id=555), JSON)
    appeal = appeal_id(channels, f"vk:{VK_GROUP}", "_555_20001")

    answer(channels, appeal, "Освещение починят завтра.")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}])
    [post] = posts_to(fake, "wall.createComment", message="Освещение починят завтра.")
    assert (post["owner_id"], post["post_id"], post["reply_to_comment"], post["from_group"]) == (
        f"-{VK_GROUP}",
        "555",
        "20001",
        VK_GROUP,
    )


def test_vk_photo_comments_and_board_posts_are_recorded_and_answered_in_place(
    channels: Channels, fake: FakePlatform
) -> None:
    vk = f"/channels/vk/{VK_GROUP}"
    for _ in range(2):  # VK re-sends until it gets ok: the second send records nothing
        assert channels.post(vk, vk_photo_comment(30001), JSON).text == "ok"
        assert channels.post(vk, vk_board_post(4001), JSON).text == "ok"
    photo = appeal_id(channels, f"vk:{VK_GROUP}", f":p-{VK_GROUP}_457239101_30001")
    board = appeal_id(channels, f"vk:{VK_GROUP}", ":b39871234_4001")

    answer(channels, photo, "Скамейку заменят весной.")
    answer(channels, board, "Ремонт запланирован на июнь.")

    for appeal in (photo, board):
        until(lambda a=appeal: history(channels, a)["answers"] == [{"delivery": "delivered"}])
    [on_photo] = posts_to(fake, "photos.createComment", message="Скамейку заменят весной.")
    assert (on_photo["owner_id"], on_photo["photo_id"], on_photo["reply_to_comment"]) == (
        f"-{VK_GROUP}",
        "457239101",
        "30001",
    )
    assert on_photo["access_token"] == VK_TOKEN
    [on_board] = posts_to(fake, "board.createComment", message="Ремонт запланирован на июнь.")
    assert (on_board["group_id"], on_board["topic_id"], on_board["from_group"]) == (
        VK_GROUP,
        "39871234",
        "1",
    )


def test_a_telegram_message_is_answered_in_reply_to_it(
    channels: Channels, fake: FakePlatform
) -> None:
    channels.post(f"/channels/telegram/{TG_BOT}", tg_update(800001, 31), JSON, **TG_HEADERS)
    appeal = appeal_id(channels, f"telegram:{TG_BOT}", ":31")

    answer(channels, appeal, "Мусор вывезут сегодня.")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}])
    [post] = posts_to(fake, "sendMessage", text="Мусор вывезут сегодня.")
    assert post["chat_id"] == TG_USER
    assert post["reply_parameters"] == {"message_id": 31, "allow_sending_without_reply": True}


def test_an_email_is_answered_by_smtp_to_its_sender(
    channels: Channels, smtp: tuple[Controller, Mailroom]
) -> None:
    message_id = f"<answer-me-{channels.server.database_url[-6:]}@mail.example>"
    channels.post(
        f"/channels/email/{MAILBOX}",
        email_message(message_id),
        "message/rfc822",
        **{"x-appeals-secret": MAIL_SECRET},
    )
    appeal = appeal_id(channels, f"email:{MAILBOX}", message_id)

    answer(channels, appeal, "Запись к терапевту открыта.")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}])
    [sent] = [m for m in smtp[1].messages if m["In-Reply-To"] == message_id]
    assert sent["To"] == "maria.sidorova@mail.example"
    assert sent["From"] == MAILBOX
    assert sent.get_content().strip() == "Запись к терапевту открыта."


def test_while_the_platform_fails_the_answer_waits_and_arrives_once(
    channels: Channels, fake: FakePlatform
) -> None:
    channels.post(f"/channels/vk/{VK_GROUP}", vk_message(6002), JSON)
    appeal = appeal_id(channels, f"vk:{VK_GROUP}", ":m6002")
    fake.fail_next = 3

    answer(channels, appeal, "Ответ после сбоя.")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}])
    assert len(posts_to(fake, "messages.send", message="Ответ после сбоя.")) == 1
    kinds = [kind for kind, _ in deliveries(channels, appeal)]
    assert kinds == ["DeliveryFailed"] * 3 + ["AnswerDelivered"]
    assert deliveries(channels, appeal)[0][1] == "messages.send: HTTP 503"


def test_a_refusal_for_good_is_recorded_as_failed(channels: Channels, fake: FakePlatform) -> None:
    channels.post(f"/channels/telegram/{TG_BOT}", tg_update(800002, 32), JSON, **TG_HEADERS)
    appeal = appeal_id(channels, f"telegram:{TG_BOT}", ":32")
    fake.refuse_telegram = True

    try:
        answer(channels, appeal, "Не дойдёт.")
        until(lambda: history(channels, appeal)["answers"] == [{"delivery": "failed"}])
    finally:
        fake.refuse_telegram = False

    assert deliveries(channels, appeal) == [
        ("DeliveryFailed", "sendMessage: HTTP 403: Forbidden: bot was blocked by the user")
    ]
    assert posts_to(fake, "sendMessage", text="Не дойдёт.") == []
