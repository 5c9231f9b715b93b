"""Payload shapes the webhook tests do not send, parsed directly (no I/O)."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from channels import mail, telegram, vk
from channels.errors import WebhookRefusal
from tests.channels.payloads import tg_update, vk_board_post, vk_message, vk_photo_comment


def test_a_message_new_of_api_before_5_103_is_the_message_itself() -> None:
    payload = json.loads(vk_message(42))
    payload["object"] = payload["object"]["message"]

    message = vk.parse(payload).message()

    assert message is not None
    assert message.external_id.endswith(":m42")


def test_a_group_chat_and_the_communitys_own_message_are_not_appeals() -> None:
    chat = json.loads(vk_message(43))
    chat["object"]["message"]["peer_id"] = 2_000_000_066
    outgoing = json.loads(vk_message(44))
    outgoing["object"]["message"]["out"] = 1

    assert vk.parse(chat).message() is None
    assert vk.parse(outgoing).message() is None


def test_the_communitys_own_photo_comment_and_board_post_are_not_appeals() -> None:
    for payload in (vk_photo_comment(1), vk_board_post(2)):
        own = json.loads(payload)
        own["object"]["from_id"] = -int(own["group_id"])
        citizen = vk.parse(json.loads(payload)).message()

        assert vk.parse(own).message() is None
        assert citizen is not None and citizen.text.endswith("?")


def test_a_telegram_business_message_is_an_appeal_and_a_group_message_is_not() -> None:
    business = json.loads(tg_update(1, 5).replace(b'"message"', b'"business_message"'))
    group = json.loads(tg_update(2, 6))
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Двор"}

    found = telegram.message_of(business)

    assert found is not None
    assert telegram.inbound(found, "bot", "chat-key") is not None
    assert telegram.message_of(group) is None


def test_an_html_only_letter_is_read_as_text_and_reply_to_is_the_sender() -> None:
    letter = EmailMessage()
    letter["From"] = "robot@forms.example"
    letter["Reply-To"] = "Пётр <petr@mail.example>"
    letter["Message-ID"] = "<html-1@forms.example>"
    letter["Date"] = "Fri, 05 Dec 2025 10:00:00 +0300"
    letter.set_content(
        "<p>Первая строка</p><script>x()</script><p>Вторая&nbsp;строка</p>", subtype="html"
    )

    message = mail.parse(letter.as_bytes())

    assert message.text == "Первая строка\nВторая строка"
    assert (message.sender, message.sender_name) == ("petr@mail.example", "Пётр")


def test_a_vk_payload_with_a_wrong_type_names_the_field() -> None:
    with pytest.raises(WebhookRefusal) as refused:
        vk.parse({"type": "message_new", "group_id": "218861756"})

    assert (refused.value.status, refused.value.detail) == (
        400,
        "payload.group_id is missing or not a int",
    )
