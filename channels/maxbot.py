"""MAX Bot API: webhook updates in, ``POST /messages`` out.

Shapes as MAX documents them (dev.max.ru ``POST /subscriptions``, ``Update``, ``Message``,
``POST /messages``; the same in the OpenAPI ``schema.yaml`` and the ``stabs/webhook.*.json``
samples of max-messenger/max-bot-api-client-go):

- A subscription made with a ``secret`` makes MAX send it in the ``X-Max-Bot-Api-Secret``
  header of every update.
- An update is ``{"update_type": ..., "timestamp": <ms>, ...}``; ``message_created`` carries
  ``message`` with ``sender`` (a ``User``: ``user_id``, ``name``, ``is_bot``), ``recipient``
  (``chat_id``, ``chat_type``: ``dialog`` for a person writing to the bot), ``timestamp`` in
  milliseconds and ``body`` (``mid``, ``seq``, ``text``, ``attachments``).
- Only a person's message in a dialog with the bot is an appeal; group chats, channels,
  bots and every other update type are acknowledged and ignored. ``message_edited`` changes
  no appeal.
- An answer is ``POST /messages?user_id=<sender>`` with ``Authorization: <token>`` and a
  ``NewMessageBody`` that replies to the citizen's message (``link: {type: reply, mid}``).
  MAX has no idempotency key, so a call whose outcome is unknown is never repeated.
"""

from __future__ import annotations

from typing import Any

import httpx

from channels.errors import WebhookRefusal
from channels.inbound import Attachment, Inbound, require, unix_millis
from channels.reply import DeliveryError, Reply, addressed, scrub

AUTH_HEADER = "x-max-bot-api-secret"
MAX_TEXT = 4000
"""``NewMessageBody.text`` is at most 4000 characters."""


def inbound(payload: Any, bot: str) -> Inbound | None:
    """The appeal of a ``message_created`` update in a dialog; None for anything else."""
    kind = require(payload, "update_type", str, "update")
    require(payload, "timestamp", int, "update")
    if kind != "message_created":
        return None
    message = require(payload, "message", dict, "update")
    assert isinstance(message, dict)
    recipient = require(message, "recipient", dict, "message")
    assert isinstance(recipient, dict)
    sender = message.get("sender")
    if recipient.get("chat_type") != "dialog" or not isinstance(sender, dict):
        return None  # a group chat or a channel post: not a person writing to the page
    if sender.get("is_bot") is True:
        return None
    user_id = require(sender, "user_id", int, "message.sender")
    body = require(message, "body", dict, "message")
    assert isinstance(body, dict)
    mid = require(body, "mid", str, "message.body")
    assert isinstance(mid, str)
    if not mid or "/" in mid or len(mid) > 200:
        raise WebhookRefusal(400, "bad_payload", "message.body.mid is not a message id")
    text = body.get("text")
    attachments = _attachments(body.get("attachments"))
    if not isinstance(text, str) or not text.strip():
        if not attachments:
            return None  # nothing to answer (a forward of someone else's message alone)
        text = "(no text)"
    return Inbound(
        external_id=f"{bot}:{mid}",
        at=unix_millis(message.get("timestamp"), "message.timestamp"),
        text=text,
        sender=str(user_id),
        sender_name=_name(sender),
        attachments=attachments,
    )


def _name(sender: dict[str, Any]) -> str | None:
    name = sender.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    parts = [sender.get("first_name"), sender.get("last_name")]
    return " ".join(p for p in parts if isinstance(p, str) and p) or None


def _attachments(items: object) -> tuple[Attachment, ...]:
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        kind = item["type"]
        if kind in ("inline_keyboard", "reply_keyboard", "location", "contact"):
            continue  # buttons are not content; a location or contact card is personal data
        given = item.get("payload")
        payload: dict[str, Any] = given if isinstance(given, dict) else {}
        ref = item.get("filename") or payload.get("photo_id") or payload.get("token") or ""
        size = item.get("size")
        url = payload.get("url")
        found.append(
            Attachment(
                kind,
                str(ref),
                size if isinstance(size, int) and not isinstance(size, bool) else None,
                url if isinstance(url, str) else None,
            )
        )
    return tuple(found)


class MaxPlatform:
    """Calls the MAX Bot API at ``base_url`` (``APPEALS_MAX_API_URL``)."""

    idempotent = False

    def __init__(self, http: httpx.Client, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    def send(self, reply: Reply) -> str:
        """Send the answer to the citizen, replying to their message; returns its ``mid``."""
        token, contact = addressed(reply, "max:", "bot token", "no one to write to")
        mid = reply.external_id.split(":", 1)[1]
        body = {"text": reply.text[:MAX_TEXT], "link": {"type": "reply", "mid": mid}}
        try:
            response = self.http.post(
                f"{self.base_url}/messages",
                params={"user_id": contact.removeprefix("max:")},
                headers={"Authorization": token},
                json=body,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise DeliveryError(f"POST /messages: {type(error).__name__}", retry=True) from None
        except httpx.HTTPError as error:
            message = f"POST /messages: {type(error).__name__}; in doubt, not sent again"
            raise DeliveryError(message, retry=False) from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code == 200 and isinstance(answer, dict):
            sent = answer.get("message")
            sent_body = sent.get("body") if isinstance(sent, dict) else None
            if isinstance(sent_body, dict) and isinstance(sent_body.get("mid"), str):
                return str(sent_body["mid"])
        detail = ""
        if isinstance(answer, dict):
            detail = f"{answer.get('code', '')}: {answer.get('message', '')}"
        transient = response.status_code == 429 or response.status_code >= 500
        raise DeliveryError(
            f"POST /messages: HTTP {response.status_code}: {scrub(detail, token)}",
            retry=transient,
        )
