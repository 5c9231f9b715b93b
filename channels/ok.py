"""OK (Odnoklassniki) Bot API: group chat webhooks in, ``/graph/me/messages/<chat>`` out.

Shapes as apiok.ru documents them (Graph API ``graph.user.subscribe`` and
``graph.user.messages``):

- A webhook is subscribed with ``POST /graph/me/subscribe?access_token=…`` and ``{"url":
  …}``; OK sends no secret and no signature of its own. The source's secret therefore goes
  into the registered URL as ``?secret=…`` and is checked on every request (the access log
  redacts it). OK's requests come from 217.20.145.192/28, 217.20.151.160/28 and
  217.20.153.48/28, if a firewall should narrow them further.
- A new message is ``{"sender": {"user_id": "user:…"}, "recipient": {"chat_id":
  "chat:…"}, "message": {"text", "seq", "mid", "attachments"}, "timestamp": <ms>}``. Only
  the citizens' messages reach the webhook (not the group's own). Chat events without a
  ``message`` (title, icon, members, system messages) are acknowledged and ignored.
- An answer is ``POST /graph/me/messages/<chat_id>?access_token=…`` with ``{"recipient":
  {"chat_id": …}, "message": {"text": …}}``. An error is an ``invocation-error`` header
  with ``{"error_code", "error_msg"}``. OK has no idempotency key, so a call whose outcome
  is unknown is never repeated.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from channels.errors import WebhookRefusal
from channels.inbound import Attachment, Inbound, require, unix_millis
from channels.reply import DeliveryError, Reply, addressed, scrub

SECRET_PARAM = "secret"  # noqa: S105 - the name of a query parameter, not a password


def inbound(payload: Any, group: str) -> Inbound | None:
    """The appeal of a new chat message; None for the chat's other events."""
    if not isinstance(payload, dict):
        raise WebhookRefusal(400, "bad_payload", "the payload is not a JSON object")
    if "message" not in payload:
        if "recipient" in payload or "webhookType" in payload:
            return None  # a chat event other than a message
        raise WebhookRefusal(400, "bad_payload", "payload.message is missing")
    message = require(payload, "message", dict, "payload")
    sender = require(payload, "sender", dict, "payload")
    recipient = require(payload, "recipient", dict, "payload")
    assert isinstance(message, dict) and isinstance(sender, dict)
    user = _id(require(sender, "user_id", str, "sender"), "user:", "sender.user_id")
    chat = _id(require(recipient, "chat_id", str, "recipient"), "chat:", "recipient.chat_id")
    mid = require(message, "mid", str, "message")
    assert isinstance(mid, str)
    if not mid or "/" in mid or len(mid) > 200:
        raise WebhookRefusal(400, "bad_payload", "message.mid is not a message id")
    text = message.get("text")
    attachments = _attachments(message.get("attachments"))
    if not isinstance(text, str) or not text.strip():
        if not attachments:
            return None
        text = "(no text)"
    name = sender.get("name")
    return Inbound(
        external_id=f"{group}:{mid}",
        at=unix_millis(payload.get("timestamp"), "timestamp"),
        text=text,
        sender=user,
        sender_name=name if isinstance(name, str) and name.strip() else None,
        attachments=attachments,
        contact=f"ok:{chat}",
    )


def _id(value: object, prefix: str, field: str) -> str:
    text = str(value)
    bare = text.removeprefix(prefix)
    if not bare or len(bare) > 100 or not bare.replace("_", "").replace("-", "").isalnum():
        raise WebhookRefusal(400, "bad_payload", f"{field} is not an OK id")
    return f"{prefix}{bare}"


def _attachments(items: object) -> tuple[Attachment, ...]:
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        kind = item["type"].lower()
        if kind in ("inline_keyboard", "location", "contact"):
            continue  # buttons are not content; a location or contact card is personal data
        given = item.get("payload")
        payload: dict[str, Any] = given if isinstance(given, dict) else {}
        ref = payload.get("id") or payload.get("token") or payload.get("ref") or ""
        url = payload.get("url")
        found.append(Attachment(kind, str(ref), None, url if isinstance(url, str) else None))
    return tuple(found)


class OkPlatform:
    """Calls OK's Graph API at ``base_url`` (``APPEALS_OK_API_URL``)."""

    idempotent = False

    def __init__(self, http: httpx.Client, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    def send(self, reply: Reply) -> str:
        """Post the answer into the citizen's chat with the group; returns its ``mid``."""
        token, contact = addressed(reply, "ok:chat:", "group access token", "no chat to write to")
        chat = contact.removeprefix("ok:")
        body = {"recipient": {"chat_id": chat}, "message": {"text": reply.text}}
        try:
            response = self.http.post(
                f"{self.base_url}/graph/me/messages/{quote(chat, safe=':')}",
                params={"access_token": token},
                headers={"content-type": "application/json;charset=utf-8"},
                json=body,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise DeliveryError(f"messages: {type(error).__name__}", retry=True) from None
        except httpx.HTTPError as error:
            message = f"messages: {type(error).__name__}; in doubt, not sent again"
            raise DeliveryError(message, retry=False) from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        failed = "invocation-error" in response.headers or (
            isinstance(answer, dict) and ("error_code" in answer or answer.get("success") is False)
        )
        if response.status_code == 200 and isinstance(answer, dict) and not failed:
            # OK documents no id in the answer to a sent message; record it when given.
            mid = answer.get("message_id")
            return mid if isinstance(mid, str) and mid else "ok"
        detail = ""
        if isinstance(answer, dict):
            detail = f"{answer.get('error_code', '')}: {answer.get('error_msg', '')}"
        transient = response.status_code == 429 or response.status_code >= 500
        raise DeliveryError(
            f"messages: HTTP {response.status_code}: {scrub(detail, token)}", retry=transient
        )
