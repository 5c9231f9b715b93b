"""Local fakes of MAX's ``POST /messages`` and OK's ``POST /graph/me/messages/<chat>``.

Each checks the method, path, token and body of every request the way the platform
documents them, answers as the platform does, and can be told to fail or to hold requests.
Neither platform has an idempotency key, so every accepted request is a post.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.channels.fake_server import FakeServer

MAX_TOKEN = "max-bot-token-f0a1b2c3d4e5-0099"
OK_TOKEN = "tkn1okGroupToken-Abc123:CBAOKPLATFORM"


@dataclass
class Call:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeMessengers(FakeServer):
    """MAX and OK over one local HTTP server; ``posts`` are the messages published."""

    calls: list[Call] = field(default_factory=list)
    posts: list[Call] = field(default_factory=list)
    fail_next: int = 0

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.posts.clear()
            self.fail_next = 0

    def respond(
        self, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        call = Call("POST", unquote(parts.path), query, headers, body)
        with self.lock:
            self.calls.append(call)
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {}, {"code": "internal", "message": "Service Unavailable"}
            if call.path == "/messages":
                return self._max(call)
            if call.path.startswith("/graph/me/messages/"):
                return self._ok(call)
            return 404, {}, {"code": "not.found", "message": "Path not found"}

    def _max(self, call: Call) -> tuple[int, dict[str, str], Any]:
        # dev.max.ru: the token goes in the Authorization header, never in the query.
        if call.headers.get("authorization") != MAX_TOKEN or "access_token" in call.query:
            return 401, {}, {"code": "verify.token", "message": "Invalid access_token"}
        user = call.query.get("user_id", "")
        body = call.body
        link = body.get("link") if isinstance(body, dict) else None
        if (
            not user.isdigit()
            or not call.headers.get("content-type", "").startswith("application/json")
            or not isinstance(body, dict)
            or not isinstance(body.get("text"), str)
            or not 0 < len(body["text"]) <= 4000
            or not isinstance(link, dict)
            or link.get("type") != "reply"
            or not str(link.get("mid", "")).startswith("mid.")
        ):
            return 400, {}, {"code": "proto.payload", "message": "Invalid request payload"}
        self.posts.append(call)
        return (
            200,
            {},
            {
                "message": {
                    "recipient": {"chat_id": 1, "chat_type": "dialog", "user_id": int(user)},
                    "timestamp": 1764900600000,
                    "body": {"mid": f"mid.answer{len(self.posts):04d}", "seq": 1, "text": ""},
                }
            },
        )

    def _ok(self, call: Call) -> tuple[int, dict[str, str], Any]:
        chat = call.path.removeprefix("/graph/me/messages/")
        error = {"invocation-error": "102"}
        if call.query.get("access_token") != OK_TOKEN:
            return 200, error, {"error_code": 102, "error_msg": "PARAM_SESSION_EXPIRED"}
        body = call.body
        recipient = body.get("recipient") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        if (
            not call.headers.get("content-type", "").startswith("application/json")
            or not chat.startswith("chat:")
            or not isinstance(recipient, dict)
            or recipient.get("chat_id") != chat
            or not isinstance(message, dict)
            or not message.get("text")
        ):
            return 200, error, {"error_code": 100, "error_msg": "PARAM : Invalid payload"}
        self.posts.append(call)
        return 200, {}, {"success": True}
