"""MAX and OK webhook payloads, shaped exactly as the platforms document them.

MAX: ``stabs/webhook.message_created.json`` of max-messenger/max-bot-api-client-go (the
``Update`` of dev.max.ru), in a dialog. OK: the "plain text message" and "message with an
attachment" webhook examples of apiok.ru's ``graph.user.subscribe``.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BOT = "7300451"
MAX_SECRET = "max-webhook-secret_Q7x"
MAX_USER = 123456789
OK_GROUP = "70000001234567"
OK_SECRET = "ok-url-secret-Jm4rT"
OK_USER = "user:571234567890"
OK_CHAT = "chat:C3ecb9d02a600"
SENT_AT_MS = 1764900000123
"""2025-12-05 02:00:00.123 UTC: the platforms' own time of the messages below."""


def max_message(mid: str, text: str = "Не горит фонарь у дома 7", **overrides: Any) -> bytes:
    """``message_created`` in a dialog with the bot (``recipient.chat_type: dialog``)."""
    update: dict[str, Any] = {
        "message": {
            "recipient": {"chat_id": -70801090403050, "chat_type": "dialog", "user_id": 7300451},
            "timestamp": SENT_AT_MS,
            "body": {
                "mid": mid,
                "seq": 116327994376978687,
                "text": text,
                "attachments": [
                    {
                        "type": "image",
                        "payload": {
                            "photo_id": 4405114401,
                            "token": "_3Rarhcf1PtlMXy8",
                            "url": "https://i.oneme.ru/i?r=BTE2sh9",
                        },
                    }
                ],
            },
            "sender": {
                "user_id": MAX_USER,
                "first_name": "Иван",
                "last_name": "Петров",
                "is_bot": False,
                "last_activity_time": 1764899990000,
                "name": "Иван Петров",
            },
        },
        "timestamp": SENT_AT_MS + 40,
        "update_type": "message_created",
        "user_locale": "ru",
    }
    update["message"].update(overrides)
    return json.dumps(update, ensure_ascii=False).encode()


def max_bot_started() -> bytes:
    """``bot_started``: a person opened the dialog; not an appeal."""
    return json.dumps(
        {
            "chat_id": -70801090403050,
            "user": {"user_id": MAX_USER, "name": "Иван Петров", "is_bot": False},
            "payload": None,
            "user_locale": "ru",
            "timestamp": SENT_AT_MS,
            "update_type": "bot_started",
        }
    ).encode()


def ok_message(mid: str, text: str = "Когда починят лифт?") -> bytes:
    """A new chat message of the group's chat with a citizen (with an attachment)."""
    return json.dumps(
        {
            "sender": {"user_id": OK_USER, "name": "Мария Сидорова"},
            "recipient": {"chat_id": OK_CHAT},
            "message": {
                "text": text,
                "seq": 98211018056672380,
                "attachments": [{"type": "SHARE", "payload": {"url": "https://ok.ru/dk?st=1"}}],
                "mid": mid,
            },
            "timestamp": SENT_AT_MS,
        },
        ensure_ascii=False,
    ).encode()


def ok_chat_event() -> bytes:
    """A chat event without a ``message`` (apiok.ru lists title, icon and member changes but
    shows no example of them: anything without ``message`` is acknowledged and ignored)."""
    return json.dumps(
        {"sender": {"user_id": OK_USER}, "recipient": {"chat_id": OK_CHAT}, "timestamp": 1}
    ).encode()
