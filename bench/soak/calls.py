"""One GraphQL call and how it ended: success, a coded error (with or without Retry-After),
or no answer at all (the connection refused or dropped)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

CONNECTION = "NO_ANSWER"
"""The code noted when no HTTP answer came (connection refused, reset or timed out)."""


@dataclass(frozen=True)
class Outcome:
    """One call: its operation, when it ran, and what the client saw."""

    op: str
    started: float
    ended: float
    ok: bool
    status: int | None = None
    code: str | None = None
    retry_after: bool = False

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def call(
    client: httpx.Client, url: str, op: str, query: str, variables: dict[str, Any]
) -> tuple[Outcome, dict[str, Any] | None]:
    """POST one GraphQL document; the outcome, and the data when it succeeded."""
    started = time.monotonic()
    try:
        response = client.post(url, json={"query": query, "variables": variables})
    except httpx.TransportError:
        return Outcome(op, started, time.monotonic(), False, code=CONNECTION), None
    ended = time.monotonic()
    retry = "retry-after" in response.headers
    try:
        body = response.json()
    except ValueError:
        return Outcome(
            op, started, ended, False, response.status_code, f"HTTP_{response.status_code}", retry
        ), None
    errors = body.get("errors") if isinstance(body, dict) else None
    if response.status_code != 200 or errors:
        code = ((errors or [{}])[0].get("extensions") or {}).get(
            "code"
        ) or f"HTTP_{response.status_code}"
        return Outcome(op, started, ended, False, response.status_code, str(code), retry), body
    return Outcome(op, started, ended, True, 200), body.get("data")
