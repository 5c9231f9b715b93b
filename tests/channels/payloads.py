"""Payloads shaped exactly as the platforms document them (VK Callback API 5.199,
Telegram Bot API ``Update``, an RFC 5322 multipart message)."""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

from tests.channels.conftest import TG_SECRET, VK_GROUP, VK_SECRET

SENT_AT = 1764900000
"""2025-12-05 02:00:00 UTC: the platforms' own time of every message below."""
VK_USER = 612444319
TG_USER = 5550001


def vk_message(message_id: int, text: str = "Яма на Ленина 5", secret: str = VK_SECRET) -> bytes:
    """``message_new``: a private message to the community (``object.message``)."""
    return _json(
        {
            "group_id": int(VK_GROUP),
            "type": "message_new",
            "v": "5.199",
            "event_id": f"3f1b8d0c2a{message_id:030d}",
            "object": {
                "message": {
                    "date": SENT_AT,
                    "from_id": VK_USER,
                    "id": message_id,
                    "out": 0,
                    "version": 10000123,
                    "attachments": [
                        {
                            "type": "photo",
                            "photo": {
                                "id": 457239017,
                                "owner_id": VK_USER,
                                "date": SENT_AT,
                                "sizes": [],
                                "text": "",
                            },
                        }
                    ],
                    "conversation_message_id": 2169,
                    "fwd_messages": [],
                    "important": False,
                    "is_hidden": False,
                    "peer_id": VK_USER,
                    "random_id": 0,
                    "text": text,
                },
                "client_info": {
                    "button_actions": [
                        "text",
                        "vkpay",
                        "open_app",
                        "location",
                        "open_link",
                        "callback",
                    ],
                    "keyboard": True,
                    "inline_keyboard": True,
                    "carousel": True,
                    "lang_id": 0,
                },
            },
            "secret": secret,
        }
    )


def vk_comment(comment_id: int, post_id: int = 10742, from_id: int = VK_USER + 1) -> bytes:
    """``wall_reply_new``: a comment under the community's post."""
    return _json(
        {
            "group_id": int(VK_GROUP),
            "type": "wall_reply_new",
            "v": "5.199",
            "event_id": f"9a0e{comment_id:036d}",
            "object": {
                "id": comment_id,
                "from_id": from_id,
                "date": SENT_AT + 60,
                "text": "Когда починят освещение во дворе?",
                "post_owner_id": -int(VK_GROUP),
                "owner_id": -int(VK_GROUP),
                "post_id": post_id,
                "parents_stack": [],
                "thread": {"count": 0},
            },
            "secret": VK_SECRET,
        }
    )


def vk_photo_comment(comment_id: int, photo_id: int = 457239101) -> bytes:
    """``photo_comment_new``: a comment under the community's photo (a wall comment with
    ``photo_id`` and ``photo_owner_id``, as VK's community-events schema gives it)."""
    return _json(
        {
            "group_id": int(VK_GROUP),
            "type": "photo_comment_new",
            "v": "5.199",
            "event_id": f"7c1d{comment_id:036d}",
            "object": {
                "id": comment_id,
                "from_id": VK_USER,
                "date": SENT_AT + 120,
                "text": "На фото сломанная скамейка, когда заменят?",
                "photo_id": photo_id,
                "photo_owner_id": -int(VK_GROUP),
                "owner_id": -int(VK_GROUP),
                "parents_stack": [],
                "thread": {"count": 0},
            },
            "secret": VK_SECRET,
        }
    )


def vk_board_post(comment_id: int, topic_id: int = 39871234) -> bytes:
    """``board_post_new``: a post in a discussion topic (a topic comment with ``topic_id``
    and ``topic_owner_id``)."""
    return _json(
        {
            "group_id": int(VK_GROUP),
            "type": "board_post_new",
            "v": "5.199",
            "event_id": f"5b2e{comment_id:036d}",
            "object": {
                "id": comment_id,
                "from_id": VK_USER,
                "date": SENT_AT + 180,
                "text": "Вопрос в обсуждении: будет ли ремонт дороги?",
                "attachments": [],
                "topic_id": topic_id,
                "topic_owner_id": -int(VK_GROUP),
            },
            "secret": VK_SECRET,
        }
    )


def vk_confirmation() -> bytes:
    """``confirmation``: VK asks for the confirmation string."""
    return _json({"type": "confirmation", "group_id": int(VK_GROUP)})


def tg_update(update_id: int, message_id: int, text: str = "Не вывозят мусор") -> bytes:
    """An ``Update`` with a ``message`` from a private chat."""
    return _json(
        {
            "update_id": update_id,
            "message": {
                "message_id": message_id,
                "from": {
                    "id": TG_USER,
                    "is_bot": False,
                    "first_name": "Иван",
                    "last_name": "Петров",
                    "language_code": "ru",
                },
                "chat": {
                    "id": TG_USER,
                    "first_name": "Иван",
                    "last_name": "Петров",
                    "type": "private",
                },
                "date": SENT_AT + 120,
                "text": text,
            },
        }
    )


TG_HEADERS = {"x-telegram-bot-api-secret-token": TG_SECRET}


def email_message(message_id: str = "<20251205.0001@mail.example>") -> bytes:
    """A multipart message: Cyrillic subject, quoted-printable text, HTML, an attachment."""
    message = EmailMessage()
    message["From"] = "Мария Сидорова <maria.sidorova@mail.example>"
    message["To"] = "appeals@city.example"
    message["Subject"] = "Жалоба на работу поликлиники №3"
    message["Date"] = "Fri, 05 Dec 2025 05:03:00 +0300"
    message["Message-ID"] = message_id
    message.set_content(
        "Здравствуйте! Запись к терапевту недоступна уже месяц.\n",
        charset="utf-8",
        cte="quoted-printable",
    )
    message.add_alternative(
        "<p>Здравствуйте! Запись к <b>терапевту</b> недоступна.</p>", subtype="html"
    )
    message.add_attachment(
        b"\xff\xd8\xff" + b"0" * 997, maintype="image", subtype="jpeg", filename="талон.jpg"
    )
    return message.as_bytes()


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()
