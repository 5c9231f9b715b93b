"""SIGTERM drains a real server: requests in flight finish, subscriptions get a close frame,
the last writes are projected; a second SIGTERM, or the drain deadline, forces the stop.

A request is held in flight by its client: the head and part of the body are sent, the rest
only after the server has begun to stop.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from ledger.values import Role
from tests.api import processes
from tests.api.conftest import LiveServer, free_port, start_server
from tests.api.test_supervisor_faults import _running
from tests.waiting import until

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e, "
    'text: "Проверка остановки", body: "Орган"}) { appeal { id status } position } }'
)


class HeldRequest:
    """A receiveAppeal mutation whose client sends the last part of its body only when told."""

    def __init__(self, port: int, token: str) -> None:
        body = json.dumps({"query": RECEIVE, "variables": {"e": uuid.uuid4().hex}}).encode()
        head = (
            f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        # First a whole request on the same connection: once it is answered, the server
        # holds the connection (it is not waiting in the listen backlog).
        self.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        with self.sock.makefile("rb") as stream:
            assert stream.readline().split()[1] == b"200"
            length = 0
            while line := stream.readline().strip():
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            stream.read(length)
        self.sock.sendall(head.encode() + body[:20])
        self.rest = body[20:]

    def finish(self) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Send the rest; the status, headers and JSON of the answer."""
        self.sock.sendall(self.rest)
        answer = self.answer()
        assert answer is not None, "the server closed the connection without answering"
        return answer

    def answer(self) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        """The status, headers and JSON the server sent; None when it closed without any."""
        try:
            with self.sock.makefile("rb") as stream:
                line = stream.readline()
                if not line:
                    return None
                headers = {}
                while header := stream.readline().decode().strip():
                    name, _, value = header.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = json.loads(stream.read(int(headers["content-length"])))
                return int(line.split()[1]), headers, body
        except ConnectionResetError:
            return None
        finally:
            self.sock.close()


def _subscribe(url: str, token: str) -> ClientConnection:
    ws = connect(
        url.replace("http://", "ws://") + "/graphql",
        open_timeout=10,
        subprotocols=[Subprotocol("graphql-transport-ws")],
    )
    ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
    ws.send(
        json.dumps(
            {
                "type": "subscribe",
                "id": "1",
                "payload": {"query": "subscription { appealEvents { appealId } }"},
            }
        )
    )
    return ws


def _close_code(ws: ClientConnection) -> int | None:
    try:
        while True:
            ws.recv(timeout=15)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None
    finally:
        ws.close()


def _refused(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=2)
    except httpx.ConnectError:
        return True
    except httpx.TransportError:
        return False
    return False


def _port(live: LiveServer) -> int:
    return int(live.url.rsplit(":", 1)[1])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """``appeals serve`` (one process) on SQLite; the test stops it."""
    server = start_server(
        f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "server.log", APPEALS_SHUTDOWN_TIMEOUT="20"
    )
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


def test_sigterm_finishes_requests_in_flight_closes_subscriptions_and_projects_the_last_write(
    live: LiveServer, tmp_path: Path
) -> None:
    token = live.token(Role.SUPERVISOR)
    ws = _subscribe(live.url, token)
    held = HeldRequest(_port(live), token)

    live.process.send_signal(signal.SIGTERM)
    until(lambda: "Shutting down" in live.log.read_text(), timeout=15)
    code = _close_code(ws)
    refused = _refused(live.url)
    status, headers, answer = held.finish()
    live.process.wait(timeout=30)

    assert code == 1012, "subscribers get a close frame: service restart"
    assert refused, "no new connection is accepted while draining"
    assert status == 200 and headers.get("connection") == "close"
    payload = answer["data"]["receiveAppeal"]
    assert payload["appeal"]["status"] == "RECEIVED"
    with sqlite3.connect(tmp_path / "a.db") as conn:
        (head,) = conn.execute("SELECT max(rowid) FROM stored_events").fetchone()
        positions = {
            name: position
            for name, position in conn.execute("SELECT name, position FROM projection_tracking")
        }
    assert head == payload["position"]
    assert positions and set(positions.values()) == {head}, "the last write was projected"


def test_a_second_sigterm_stops_at_once_without_waiting_for_requests(live: LiveServer) -> None:
    held = HeldRequest(_port(live), live.token(Role.SUPERVISOR))
    live.process.send_signal(signal.SIGTERM)
    until(lambda: "Waiting for connections to close" in live.log.read_text(), timeout=15)
    asked = time.monotonic()

    live.process.send_signal(signal.SIGTERM)
    live.process.wait(timeout=15)

    assert time.monotonic() - asked < 10
    assert held.answer() is None
    assert "second stop signal" in live.log.read_text()


def test_the_drain_deadline_forces_the_stop(tmp_path: Path) -> None:
    live = start_server(
        f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "server.log", APPEALS_SHUTDOWN_TIMEOUT="2"
    )
    held = HeldRequest(_port(live), live.token(Role.SUPERVISOR))
    asked = time.monotonic()

    live.process.send_signal(signal.SIGTERM)
    try:
        live.process.wait(timeout=20)
    finally:
        if live.process.poll() is None:
            live.process.kill()
    stopped = time.monotonic() - asked
    cancelled = held.answer()

    assert 1.9 <= stopped < 15, stopped
    assert cancelled is not None
    status, headers, body = cancelled
    assert status == 503 and headers["retry-after"] == "2"
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert "timeout graceful shutdown exceeded" in live.log.read_text()


def test_workers_drain_on_sigterm_and_a_second_sigterm_stops_every_process(
    postgres_url: str, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    supervisor = processes.supervise(postgres_url, port, tmp_path, workers=2)
    log = tmp_path / f"serve-{port}-2.log"
    try:
        until(
            lambda: (
                processes.healthy(url) and len(processes.named(supervisor.pid, "appeals-duty")) == 1
            ),
            timeout=60,
            every=0.2,
        )
        token = LiveServer(url, postgres_url, supervisor, log).token(Role.SUPERVISOR)
        finished, stalled = HeldRequest(port, token), HeldRequest(port, token)
        children = processes.named(supervisor.pid, "appeals-worker") | processes.named(
            supervisor.pid, "appeals-duty"
        )

        supervisor.send_signal(signal.SIGTERM)
        until(lambda: log.read_text().count("Shutting down") == 2, timeout=15)
        status, _, answer = finished.finish()
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=20)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
    with psycopg.connect(postgres_url) as conn:
        positions = {row[0] for row in conn.execute("SELECT position FROM projection_tracking")}

    assert status == 200
    payload = answer["data"]["receiveAppeal"]
    assert payload["appeal"]["status"] == "RECEIVED", "the duty projected while workers drained"
    assert positions == {payload["position"]}
    assert stalled.answer() is None
    assert len(children) == 3
    until(lambda: not _running(children), timeout=5)
