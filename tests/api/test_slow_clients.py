"""Slow clients cannot hold connections: a request head and body each have a deadline, and a
server holding its cap of connections answers the next one 503 at once; with one process and
with ``serve --workers 2``."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import free_port
from tests.api.processes import healthy, supervise
from tests.waiting import until

HEADER_TIMEOUT = 1
MARGIN = 4.0
CAP = 4  # above the three slow connections, so the fourth request is served


@dataclass
class Server:
    """A running ``appeals serve`` with short client deadlines and a cap of ``CAP``."""

    port: int
    workers: int
    opened: list[socket.socket] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def connect(self, sent: bytes) -> socket.socket:
        """A raw connection that has sent ``sent`` and sends nothing more."""
        sock = socket.create_connection(("127.0.0.1", self.port))
        self.opened.append(sock)
        sock.sendall(sent)
        return sock


@pytest.fixture(params=[1, 2], ids=["one-process", "two-workers"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    process = supervise(
        f"sqlite:///{tmp_path / 'a.db'}",
        port,
        tmp_path,
        request.param,
        APPEALS_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        APPEALS_BODY_TIMEOUT="1",
        APPEALS_KEEPALIVE_TIMEOUT="60",
        APPEALS_MAX_CONNECTIONS=str(CAP),
    )
    try:
        until(lambda: healthy(f"http://127.0.0.1:{port}"), timeout=60, every=0.2)
        served = Server(port, request.param)
        yield served
        for sock in served.opened:
            sock.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """All the server sent before closing ``sock``; fails if it is still open after ``seconds``."""
    received = b""
    deadline = time.monotonic() + seconds
    while True:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            pytest.fail(f"still open after {seconds} s; received {received!r}")
        if not chunk:
            return received
        received += chunk


def test_connections_that_never_finish_a_request_are_closed_while_others_are_served(
    server: Server,
) -> None:
    silent = server.connect(b"")
    half_head = server.connect(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Ty")
    half_body = server.connect(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        b'{"query":'
    )

    answer = httpx.post(server.url("/graphql"), json={"query": "{ __typename }"}, timeout=5)

    assert answer.json() == {"data": {"__typename": "Query"}}
    assert _closed_within(silent, HEADER_TIMEOUT + MARGIN) == b""
    assert _closed_within(half_head, MARGIN).startswith(b"HTTP/1.1 408 ")
    timed_out = _closed_within(half_body, MARGIN)
    assert timed_out.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"REQUEST_TIMEOUT"' in timed_out


def test_a_connection_over_the_cap_is_answered_503_at_once_and_served_once_one_closes(
    server: Server,
) -> None:
    held = []
    for _ in range(CAP * server.workers):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/healthz")
        assert conn.getresponse().read() == b'{"status":"ok"}'
        held.append(conn)

    refused = httpx.get(server.url("/healthz"), timeout=5)
    for conn in held:
        conn.close()

    assert refused.status_code == 503
    until(lambda: healthy(f"http://127.0.0.1:{server.port}"), timeout=5)
