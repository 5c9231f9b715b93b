"""Telegram Bot API webhooks: an ``Update`` per request, authenticated by a header.

``setWebhook`` with ``secret_token`` makes Telegram send it in the
``X-Telegram-Bot-Api-Secret-Token`` header of every update. A ``message`` (or a
``business_message``) from a private chat is an appeal; its identity is the chat and the
message id (the chat, which is the sender's user id in a private chat, enters it only as a
keyed pseudonym). ``edited_message`` and every other update are acknowledged and ignored:
an edit changes no appeal.
"""

from __future__ import annotations

from typing import Any

from channels.inbound import Attachment, Inbound, require, unix_time

AUTH_HEADER = "x-telegram-bot-api-secret-token"
_MESSAGES = ("message", "business_message")


def message_of(payload: Any) -> dict[str, Any] | None:
    """The private-chat message of an update, or None for anything else."""
    require(payload, "update_id", int, "update")
    for key in _MESSAGES:
        message = payload.get(key)
        if message is None:
            continue
        chat = require(message, "chat", dict, key)
        assert isinstance(chat, dict)
        require(chat, "id", int, f"{key}.chat")
        if chat.get("type") != "private":
            return None
        require(message, "message_id", int, key)
        return dict(message)
    return None


def inbound(message: dict[str, Any], bot: str, chat_key: str) -> Inbound | None:
    """The appeal of a private message; ``chat_key`` names the chat without revealing it."""
    text = message.get("text", message.get("caption"))
    attachments = _attachments(message)
    if not isinstance(text, str) or not text.strip():
        if not attachments:
            return None  # a sticker, a contact card, a service message: nothing to answer
        text = "(no text)"
    given = message.get("from")
    sender: dict[str, Any] = given if isinstance(given, dict) else {}
    names = [sender.get("first_name"), sender.get("last_name")]
    name = " ".join(n for n in names if isinstance(n, str) and n) or None
    return Inbound(
        external_id=f"{bot}:{chat_key}:{message['message_id']}",
        at=unix_time(message.get("date"), "message.date"),
        text=text,
        sender=str(message["chat"]["id"]),
        sender_name=name,
        attachments=attachments,
    )


def _attachments(message: dict[str, Any]) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos and isinstance(photos[-1], dict):
        found.append(_file("photo", photos[-1]))  # the largest size is the last
    for kind in ("document", "voice", "audio", "video", "video_note"):
        item = message.get(kind)
        if isinstance(item, dict):
            found.append(_file(kind, item))
    return tuple(found)


def _file(kind: str, item: dict[str, Any]) -> Attachment:
    size = item.get("file_size")
    name = item.get("file_name")
    ref = str(item.get("file_id", ""))
    if isinstance(name, str):
        ref = f"{name} ({ref})"
    return Attachment(kind, ref, size if isinstance(size, int) else None)
