"""The API served inside the test process through Starlette's ``TestClient``: no server process.

For tests about what the API answers, not about serving it (ports, workers, slow clients,
signals): the same app, lifespan, middleware and store as ``appeals serve``, called
without a socket, which makes those tests faster. ``tests.api.conftest.LiveServer`` stays
for the tests that are about serving.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from api.http.app import create_app
from api.http.auth import Authenticator
from api.settings import Settings
from ledger.values import Role

SECRET = "test-secret-" + "x" * 40
REPLAY_CLOCK_SKEW = str(100 * 365 * 86400)
"""Tests replay offices' past months through the API (staff times years back), so their
servers accept any staff time; ``test_staff_times`` serves with the default skew."""


class Tokens:
    """A server's GraphQL URL and the tokens its tests call it with (signed with ``SECRET``)."""

    url: str

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"

    def token(
        self,
        role: Role,
        *,
        body: str | None = None,
        department: str | None = None,
        pii: bool = False,
        ttl: timedelta = timedelta(hours=1),
    ) -> str:
        return Authenticator(SECRET).issue(
            subject=f"test-{role.value}",
            role=role,
            ttl=ttl,
            body=body,
            department=department,
            pii=pii,
        )


@dataclass
class InProcessServer(Tokens):
    """The app on a store, with the means to call it as ``LiveServer`` does."""

    database_url: str
    http: httpx.Client
    """A client bound to the app (``TestClient``); takes paths or ``graphql``."""
    folder: Path
    """A folder of the test module's own (the server's keys live in ``server-keys`` there)."""
    url: str = "http://testserver"

    def post(
        self, query: str, variables: dict[str, object] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )


@contextlib.contextmanager
def serve_in_process(
    database_url: str, folder: Path, **extra_env: str
) -> Iterator[InProcessServer]:
    """The app on ``database_url``, its lifespan run, until the block ends."""
    settings = Settings.from_environ(
        {
            "APPEALS_DATABASE_URL": database_url,
            "APPEALS_JWT_SECRET": SECRET,
            # Tests send hundreds of requests a minute with one token: the limiter has its own test.
            "APPEALS_RATE_LIMIT_PER_MINUTE": "0",
            "APPEALS_KEYS_DIR": str(folder / "server-keys"),
            "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW,
            "APPEALS_OPENDATA_REFRESH": "0",
            **extra_env,
        }
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield InProcessServer(database_url, client, folder)
