"""A live API server per module on both stores, with sources added through the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ledger.values import Role
from tests.api.conftest import LiveServer, empty_store, start_server, stop_server
from tests.channels.fakes import TG_TOKEN, VK_TOKEN, FakePlatform

VK_GROUP = "218861756"
VK_SECRET = "vk-webhook-secret-7f3a9c"
VK_CONFIRMATION = "9f1c2e7a"
TG_BOT = "city_hall_bot"
TG_SECRET = "tg-secret-token-Zx81_kq"
MAILBOX = "appeals@city.example"
MAIL_SECRET = "mail-gateway-secret-31337"
SECRETS = (VK_SECRET, VK_CONFIRMATION, VK_TOKEN, TG_SECRET, TG_TOKEN, MAIL_SECRET)
"""Every secret the tests configure; none may ever appear in output (see test_secrets)."""


@dataclass
class Channels:
    """A running server, the environment its CLI runs with, and a staff token."""

    server: LiveServer
    env: dict[str, str]
    folder: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``appeals ARGS`` against the server's store."""
        return subprocess.run(
            [sys.executable, "-m", "api.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def post(self, path: str, content: bytes, content_type: str, **headers: str) -> httpx.Response:
        """POST a raw body to the server."""
        return httpx.post(
            f"{self.server.url}{path}",
            content=content,
            timeout=30,
            headers={"content-type": content_type, **headers},
        )

    def graphql(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        role: Role = Role.SUPERVISOR,
        position: int | None = None,
    ) -> dict[str, object]:
        """Run a query with a token of ``role`` (personal data visible) and return ``data``;
        with ``position``, from views that show at least that log position."""
        pii = role in (Role.ADMIN, Role.AUDITOR)
        token = self.server.token(role, pii=pii)
        response = self.server.post(query, variables, token=token, position=position)
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, object] = body["data"]
        return data

    def head(self) -> int:
        """The log's head position: unchanged means nothing was recorded."""
        return int(httpx.get(f"{self.server.url}/readyz", timeout=10).json()["head"])


def channel_env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """The environment of the server and the CLI: one store, one sources key folder."""
    return {
        **os.environ,
        "APPEALS_DATABASE_URL": database_url,
        "APPEALS_KEYS_DIR": str(folder / "keys"),
        **extra,
    }


def add_sources(channels: Channels) -> None:
    """The three sources every webhook test uses, added as an operator would."""
    token = channels.folder / "vk.token"
    token.write_text(VK_TOKEN)
    tg_token = channels.folder / "tg.token"
    tg_token.write_text(TG_TOKEN)
    for args in (
        [
            "vk",
            VK_GROUP,
            "--body",
            "city-hall",
            "--category",
            "roads",
            "--secret",
            VK_SECRET,
            "--confirmation",
            VK_CONFIRMATION,
            "--token-file",
            str(token),
        ],
        [
            "telegram",
            f"@{TG_BOT}",
            "--body",
            "city-hall",
            "--secret",
            TG_SECRET,
            "--token-file",
            str(tg_token),
        ],
        ["email", MAILBOX, "--body", "ministry-of-health", "--secret", MAIL_SECRET],
    ):
        result = channels.cli("sources", "add", *args)
        assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """Extra settings of the module's server; a module overrides it (fake platforms)."""
    return {}


@pytest.fixture(scope="module")
def platform() -> Iterator[FakePlatform]:
    """VK and Telegram for the module; its ``server_env`` points the server at them."""
    with FakePlatform() as started:
        yield started


@pytest.fixture(scope="module")
def fake(channels: Channels, platform: FakePlatform) -> FakePlatform:
    """The fake platform, emptied for each store (the same appeal ids recur on each)."""
    platform.reset()
    return platform


@contextmanager
def serving(
    store: str, folder: Path, add: Callable[[Channels], None], **settings: str
) -> Iterator[Channels]:
    """A server with ``settings`` on a new ``store``, its sources added by ``add``."""
    with empty_store(store, folder) as database_url:
        env = channel_env(database_url, folder, **settings)
        server = start_server(database_url, folder / "server.log", **server_settings(env))
        live = Channels(server, env, folder)
        try:
            add(live)  # inside: a failed add must still stop the server
            yield live
        finally:
            stop_server(live.server)  # a test may have restarted it


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def channels(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    server_env: dict[str, str],
) -> Iterator[Channels]:
    """A server with the three sources, once on SQLite and once on PostgreSQL."""
    folder = tmp_path_factory.mktemp("channels")
    with serving(request.param, folder, add_sources, **server_env) as live:
        yield live


def server_settings(env: dict[str, str]) -> dict[str, str]:
    """The ``APPEALS_*`` settings a server needs besides its store."""
    return {
        k: v for k, v in env.items() if k.startswith("APPEALS_") and k != "APPEALS_DATABASE_URL"
    }
