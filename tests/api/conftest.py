"""A live API server per test module, on real SQLite and real PostgreSQL, over real HTTP."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from bench.child import start_appeals
from tests.api.chromium import headless_chromium
from tests.api.inprocess import (
    REPLAY_CLOCK_SKEW,
    SECRET,
    InProcessServer,
    Tokens,
    serve_in_process,
)
from tests.conftest import create_database, drop_database, require_postgres
from tests.waiting import until


@dataclass
class LiveServer(Tokens):
    """A running ``appeals serve`` and the means to call it."""

    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def post(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        *,
        token: str | None = None,
        position: int | None = None,
    ) -> httpx.Response:
        """POST a GraphQL document; ``position`` is sent as ``X-Appeals-Position``."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        if position is not None:
            headers["x-appeals-position"] = str(position)
        return httpx.post(
            self.graphql,
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, log: Path, **extra_env: str) -> LiveServer:
    port = free_port()
    # Tests send hundreds of requests a minute with one token: the limiter has its own test.
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": database_url,
        "APPEALS_JWT_SECRET": SECRET,
        "APPEALS_RATE_LIMIT_PER_MINUTE": "0",
        "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW,
        "APPEALS_OPENDATA_REFRESH": "0",
        **extra_env,
    }
    process = start_appeals(["serve", "--port", str(port)], log, env)
    url = f"http://127.0.0.1:{port}"
    wait_serving(process, url, log, timeout=60)
    return LiveServer(url, database_url, process, log)


def wait_serving(process: subprocess.Popen[bytes], url: str, log: Path, *, timeout: float) -> None:
    """Return once the server at ``url`` answers ``/healthz``; fail with its log otherwise."""

    def serving() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        until(serving, timeout=timeout, every=0.1)
    except AssertionError:
        process.kill()
        raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}") from None


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def live_fixture(**extra_env: str) -> Any:
    """A ``live`` fixture whose server runs with ``extra_env``; a test module assigns it."""

    @pytest.fixture(name="live", scope="module", params=["sqlite", "postgres"])
    def live(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[LiveServer]:
        """A server on a fresh store; once on SQLite, once on PostgreSQL."""
        with live_server(request.param, tmp_path_factory.mktemp("live"), **extra_env) as server:
            yield server

    return live


live = live_fixture()


@contextlib.contextmanager
def empty_store(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty store (``sqlite`` or ``postgres``); a database is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'appeals.db'}"
        return
    admin = require_postgres()
    database_url = create_database(admin)
    try:
        yield database_url
    finally:
        drop_database(admin, database_url)


@contextlib.contextmanager
def live_server(kind: str, folder: Path, **extra_env: str) -> Iterator[LiveServer]:
    """A server on a new, empty store of ``kind``, logging to ``folder``; stopped after."""
    with empty_store(kind, folder) as database_url:
        server = start_server(database_url, folder / "server.log", **extra_env)
        yield server
        stop_server(server)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def in_process(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InProcessServer]:
    """The app served in this process on a fresh store; once on SQLite, once on PostgreSQL."""
    folder = tmp_path_factory.mktemp("in-process")
    with (
        empty_store(request.param, folder) as database_url,
        serve_in_process(database_url, folder) as server,
    ):
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless chromium, for the page tests."""
    with headless_chromium() as launched:
        yield launched
