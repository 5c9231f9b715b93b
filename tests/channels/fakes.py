"""Local fake platforms: VK's and Telegram's API methods over real HTTP, and an SMTP server.

Each checks every request's parameters and token, posts at most once per idempotency key
(as VK does for ``random_id`` and ``guid``), and can be told to fail or to hold requests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qsl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.api.conftest import free_port
from tests.channels.fake_server import FakeServer

VK_TOKEN = "vk1.a.community-token-QWERTY-5501"
TG_TOKEN = "7301234567:AAH-bot-token-telegram-0042"


@dataclass
class Post:
    """One message the platform published."""

    method: str
    params: dict[str, Any]
    id: int


@dataclass
class FakePlatform(FakeServer):
    """VK ``messages.send`` / ``wall.createComment`` and Telegram ``sendMessage``."""

    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    refuse_telegram: bool = False
    echo_token_in_errors: int = 0
    """Fail this many VK calls with an error text that quotes the token (it must be scrubbed)."""

    def respond(
        self, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], Any]:
        status, answer = self.handle(target, headers.get("content-type", ""), raw)
        return status, {}, answer

    def reset(self) -> None:
        """Forget every request and post (a new store starts from nothing)."""
        with self.lock:
            self.requests.clear()
            self.posts.clear()
            self.fail_next = self.echo_token_in_errors = 0
            self.refuse_telegram = False

    def handle(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """Check and publish one request; returns the status and JSON answer."""
        if content_type.startswith("application/json"):
            params: dict[str, Any] = json.loads(body)
        else:
            params = dict(parse_qsl(body.decode()))
        with self.lock:
            self.requests.append((path, params))
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, {
                    "ok": False,
                    "error_code": self.fail_status,
                    "description": "Service Unavailable",
                }
            if path.startswith("/method/"):
                return self._vk(path.removeprefix("/method/"), params)
            if path == f"/bot{TG_TOKEN}/sendMessage":
                return self._telegram(params)
            if path.endswith("/sendMessage"):
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _vk(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.echo_token_in_errors > 0:
            self.echo_token_in_errors -= 1
            text = f"Internal server error: token {params.get('access_token')} timed out"
            return 200, {"error": {"error_code": 10, "error_msg": text}}
        if params.get("access_token") != VK_TOKEN:
            return 200, {"error": {"error_code": 5, "error_msg": "User authorization failed"}}
        if not params.get("v") or not params.get("message"):
            return 200, {
                "error": {
                    "error_code": 100,
                    "error_msg": "One of the parameters specified was missing",
                }
            }
        if method == "messages.send":
            for needed in ("peer_id", "random_id"):
                if not str(params.get(needed, "")).lstrip("-").isdigit():
                    return 200, {"error": {"error_code": 100, "error_msg": f"{needed} missing"}}
            post = self._publish(method, params, ("peer_id", "random_id"))
            return 200, {"response": post.id}
        if method == "wall.createComment":
            for needed in ("owner_id", "post_id", "reply_to_comment", "from_group", "guid"):
                if not params.get(needed):
                    return 200, {"error": {"error_code": 100, "error_msg": f"{needed} missing"}}
            post = self._publish(method, params, ("owner_id", "post_id", "guid"))
            return 200, {"response": {"comment_id": post.id, "parents_stack": []}}
        if method in ("photos.createComment", "board.createComment"):
            needed = ("owner_id", "photo_id", "reply_to_comment", "from_group", "guid")
            if method == "board.createComment":  # no reply target on a topic
                needed = ("group_id", "topic_id", "from_group", "guid")
            if [k for k in needed if not params.get(k)] or params.get("from_group") != "1":
                return 200, {"error": {"error_code": 100, "error_msg": "parameter missing"}}
            post = self._publish(method, params, (*needed[:2], "guid"))
            return 200, {"response": post.id}
        return 200, {"error": {"error_code": 3, "error_msg": "Unknown method passed"}}

    def _telegram(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        reply = params.get("reply_parameters")
        if (
            not isinstance(params.get("chat_id"), int)
            or not isinstance(reply, dict)
            or not isinstance(reply.get("message_id"), int)
            or not params.get("text")
        ):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request"}
        if self.refuse_telegram:
            return 403, {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
        post = self._publish("sendMessage", params, ())  # no idempotency key in Telegram
        return 200, {
            "ok": True,
            "result": {
                "message_id": post.id,
                "date": 1764900500,
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params["text"],
            },
        }

    def _publish(self, method: str, params: dict[str, Any], key: tuple[str, ...]) -> Post:
        if key:
            for post in self.posts:
                if post.method == method and all(post.params[k] == params[k] for k in key):
                    return post  # the same idempotency key: published once
        post = Post(method, params, 1000 + len(self.posts))
        self.posts.append(post)
        return post


class Mailroom:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def smtp_server() -> tuple[Controller, Mailroom]:
    """A running local SMTP server and the messages it received."""
    room = Mailroom()
    controller = Controller(room, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, room
