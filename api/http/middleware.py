"""Pure ASGI middleware: request ids, metrics, and the request body's size cap and deadline."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.storage.unavailable import RETRY_AFTER

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# Request ids: a random per-process prefix and a counter. uuid4 reads the OS random source
# on every request; this is unique across processes and hosts without a system call.
# ``serve --workers`` forks its workers after importing this: each draws its own prefix.
_PREFIX = os.urandom(6).hex()
_SEQUENCE = itertools.count(1)


def _renew_prefix() -> None:
    global _PREFIX
    _PREFIX = os.urandom(6).hex()


os.register_at_fork(after_in_child=_renew_prefix)


def new_request_id() -> str:
    """A fresh id for a request that did not bring its own ``X-Request-Id``."""
    return f"{_PREFIX}-{next(_SEQUENCE):x}"


class BodyTooLargeError(Exception):
    """The client sent more than the cap."""


class BodyTimeoutError(Exception):
    """The client did not finish sending the body in time."""


class RequestMiddleware:
    """Tags each request with an id, times it, and refuses bodies over ``max_body_bytes``
    or not complete within ``body_timeout`` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        body_timeout: float = 30.0,
        limits: Mapping[str, tuple[int, float]] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout
        # Paths with a cap and a body timeout of their own (uploads such as ``/import``).
        self.limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = headers.get("x-request-id") or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id[:64]
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        max_bytes, timeout = self.limits.get(
            scope["path"], (self.max_body_bytes, self.body_timeout)
        )
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._too_large(scope, receive, send, request_id, max_bytes)
            self._observe(scope, 413, 0.0)
            return
        status = {"code": 500}
        started = time.perf_counter()
        received = 0
        # A body sent a byte at a time, or never finished, held the connection forever.
        deadline = asyncio.get_running_loop().time() + timeout
        complete = False

        async def counted_receive() -> Message:
            nonlocal received, complete
            if complete:  # later calls wait for the disconnect, which has no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeoutError from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLargeError
                complete = not message.get("more_body", False)
            return message

        async def tagged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = status["started"] = message["status"]
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", request_id.encode()))
                # A route that sets its own header wins: immutable tiles set cache-control.
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in SECURITY_HEADERS if pair[0] not in present)
            await send(message)

        try:
            await self.app(scope, counted_receive, tagged_send)
        except BodyTooLargeError:
            await self._too_large(scope, receive, send, request_id, max_bytes)
            status["code"] = 413
        except BodyTimeoutError:
            await self._timed_out(scope, receive, send, request_id, timeout)
            status["code"] = 408
        except asyncio.CancelledError:
            # The drain deadline passed (api.drain): a retryable UNAVAILABLE, not a bare 500.
            if "started" not in status:
                await self._stopping(scope, receive, send, request_id)
                status["code"] = 503
            raise
        finally:
            self._observe(scope, status["code"], time.perf_counter() - started)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, max_bytes: int
    ) -> None:
        message = f"request body exceeds {max_bytes} bytes"
        await _refuse(scope, receive, send, request_id, 413, "PAYLOAD_TOO_LARGE", message)

    async def _timed_out(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, timeout: float
    ) -> None:
        message = f"request body not complete within {timeout:g} s"
        # The rest of the body may still trickle in: the connection cannot be reused.
        close = {"connection": "close"}
        await _refuse(scope, receive, send, request_id, 408, "REQUEST_TIMEOUT", message, close)

    async def _stopping(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        await _refuse(
            scope,
            receive,
            send,
            request_id,
            503,
            "UNAVAILABLE",
            "the server is stopping; try again",
            {"connection": "close", "retry-after": str(RETRY_AFTER)},
            extensions={"retryAfter": RETRY_AFTER},
        )

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        app: Any = scope.get("app")
        services = getattr(getattr(app, "state", None), "services", None)
        if services is None:
            return
        route = (
            scope["path"]
            if scope["path"] in ("/graphql", "/healthz", "/readyz", "/metrics")
            else "other"
        )
        services.metrics.requests.labels(
            method=scope["method"], route=route, status=str(status)
        ).inc()
        if status == 413 and services.channels is not None:
            services.channels.oversized(scope["path"])
        services.metrics.latency.labels(route=route).observe(seconds)


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    request_id: str,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    extensions: Mapping[str, Any] | None = None,
) -> None:
    """Answer before the app with one GraphQL-shaped error carrying its code and request id."""
    details = {"code": code, **(extensions or {}), "requestId": request_id}
    error = {"message": message, "extensions": details}
    all_headers = {"x-request-id": request_id, **(headers or {})}
    await JSONResponse({"errors": [error]}, status_code=status, headers=all_headers)(
        scope, receive, send
    )
