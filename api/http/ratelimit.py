"""Per-token and per-address rate limiting: 429 with ``Retry-After``.

A token bucket per key: the bearer token's hash when one is sent, else the client
address. Each process keeps its own buckets, so with N workers the effective limit is up to
N times the setting; a shared limiter belongs in front of the fleet (the proxy).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_KEYS = 50_000
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


class RateLimitMiddleware:
    """Refuses requests over ``per_minute`` per key; ``per_minute=0`` switches it off."""

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.capacity <= 0
            or scope["type"] not in ("http", "websocket")
            or (scope["path"] in EXEMPT)
        ):
            await self.app(scope, receive, send)
            return
        wait = self._take(_key(scope), time.monotonic())
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = str(max(1, math.ceil(wait)))
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013, "reason": "rate limited"})
            return
        body = {
            "errors": [
                {
                    "message": "too many requests",
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": int(retry_after)},
                }
            ]
        }
        response = JSONResponse(body, status_code=429, headers={"retry-after": retry_after})
        await response(scope, receive, send)

    def _take(self, key: str, now: float) -> float:
        """Seconds to wait before a token is available; 0 when one was taken."""
        tokens, stamp = self.buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - stamp) * self.refill)
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, now)
            wait = 0.0
        else:
            self.buckets[key] = (tokens, now)
            wait = (1 - tokens) / self.refill
        while len(self.buckets) > MAX_KEYS:
            self.buckets.popitem(last=False)
        return wait


def _key(scope: Scope) -> str:
    authorization = Headers(scope=scope).get("authorization")
    if authorization:
        # Never keep tokens themselves in memory longer than the request.
        return "t:" + hashlib.sha256(authorization.encode()).hexdigest()[:24]
    client = scope.get("client")
    return "a:" + (client[0] if client else "unknown")
