"""Answers to Telegram: ``sendMessage`` replying to the citizen's message.

Telegram has no idempotency key, so a call whose outcome is unknown is never repeated (the
deliverer records it as failed in doubt instead of risking a second post).
"""

from __future__ import annotations

import logging

import httpx

from channels.reply import DeliveryError, Reply, addressed, scrub

# httpx logs every request's URL at INFO, and a Bot API URL holds the bot's token.
logging.getLogger("httpx").setLevel(logging.WARNING)


class TelegramPlatform:
    """Calls the Bot API at ``base_url`` (``APPEALS_TELEGRAM_API_URL``)."""

    idempotent = False

    def __init__(self, http: httpx.Client, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    def send(self, reply: Reply) -> str:
        """Send the reply to the chat, as a reply to the original message."""
        token, contact = addressed(reply, "telegram:", "bot token", "no chat to write to")
        message_id = int(reply.external_id.rsplit(":", 1)[1])
        payload = {
            "chat_id": int(contact.removeprefix("telegram:")),
            "text": reply.text,
            "reply_parameters": {"message_id": message_id, "allow_sending_without_reply": True},
        }
        try:
            response = self.http.post(f"{self.base_url}/bot{token}/sendMessage", json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            # Never connected: nothing was sent, so trying again is safe.
            raise DeliveryError(f"sendMessage: {type(error).__name__}", retry=True) from None
        except httpx.HTTPError as error:
            # Sent, but no answer: it may have been posted, and a retry could post it twice.
            message = f"sendMessage: {type(error).__name__}; in doubt, not sent again"
            raise DeliveryError(message, retry=False) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 200 and isinstance(body, dict) and body.get("ok"):
            result = body.get("result")
            if isinstance(result, dict) and isinstance(result.get("message_id"), int):
                return str(result["message_id"])
        description = scrub(
            str(body.get("description", "")) if isinstance(body, dict) else "", token
        )
        retry_after = 0.0
        if isinstance(body, dict) and isinstance(body.get("parameters"), dict):
            retry_after = float(body["parameters"].get("retry_after") or 0)
        transient = response.status_code == 429 or response.status_code >= 500
        raise DeliveryError(
            f"sendMessage: HTTP {response.status_code}: {description}",
            retry=transient,
            after=retry_after,
        )
