"""``appeals serve --workers 2``: one socket, connections spread evenly, a dead worker
restarted, clean stop."""

from __future__ import annotations

import http.client
import json
import os
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from api.http.auth import Authenticator
from ledger.values import Role
from tests.api.conftest import free_port
from tests.api.inprocess import SECRET
from tests.api.processes import (
    healthy,
    holding,
    listeners,
    named,
    served_by,
    supervise,
    wait_until_each_answers,
    workers_of,
)
from tests.waiting import until


def test_two_workers_serve_one_port_and_a_dead_one_is_replaced(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    supervisor = supervise(f"sqlite:///{tmp_path / 'a.db'}", port, tmp_path, workers=2)
    try:
        # Only the supervisor listens; its two workers get the connections it accepts.
        until(lambda: len(workers_of(supervisor.pid)) == 2 and healthy(url), timeout=60, every=0.2)
        workers = workers_of(supervisor.pid)
        assert listeners(port) == {supervisor.pid}

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        until(
            lambda: (
                len(workers_of(supervisor.pid)) == 2 and victim not in workers_of(supervisor.pid)
            ),
            timeout=60,
            every=0.2,
        )
        until(lambda: all(healthy(url) for _ in range(5)), timeout=60, every=0.2)
        assert listeners(port) == {supervisor.pid}

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert not listeners(port)
        assert not (workers - {victim}) & {
            int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
        }
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_workers_starting_together_on_a_new_database_do_not_race(
    postgres_url: str, tmp_path: Path
) -> None:
    port = free_port()
    supervisor = supervise(postgres_url, port, tmp_path, workers=3)
    try:
        until(
            lambda: len(workers_of(supervisor.pid)) == 3 and healthy(f"http://127.0.0.1:{port}"),
            timeout=60,
            every=0.2,
        )
        first = workers_of(supervisor.pid)
        # Every worker has answered a request, so each finished its start-up: one that
        # crashed there would have done so by now.
        wait_until_each_answers(port, first)

        assert workers_of(supervisor.pid) == first
        log = next(tmp_path.glob("serve-*.log")).read_text()
        assert "Traceback" not in log and "restarting" not in log
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)


def test_a_second_server_on_a_taken_port_refuses_with_one_line(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first = supervise(url, port, tmp_path, workers=2)
    try:
        until(lambda: listeners(port) == {first.pid}, timeout=60, every=0.2)
        (tmp_path / "second").mkdir()

        second = supervise(url, port, tmp_path / "second", workers=2)

        assert second.wait(timeout=60) == 2
        log = next((tmp_path / "second").glob("serve-*.log")).read_text()
        assert "cannot listen on" in log
        assert listeners(port) == {first.pid}
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)


@dataclass
class Served:
    """A running ``appeals serve --workers 2``, and the client connections a test opened."""

    port: int
    workers: set[int]
    opened: list[http.client.HTTPConnection | ClientConnection] = field(default_factory=list)

    def held(self) -> dict[int, int]:
        """The worker holding each open connection, by the client's port."""
        return served_by(self.port, self.workers)

    def keep_alive(self) -> http.client.HTTPConnection:
        """An HTTP/1.1 connection that has been answered once and stays open."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.opened.append(conn)
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        return conn

    def websocket(self) -> ClientConnection:
        """A graphql-transport-ws connection that has answered one query and stays open."""
        url = f"ws://127.0.0.1:{self.port}/graphql"
        ws = connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
        self.opened.append(ws)
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        query = {"query": "{ __typename }"}
        ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": query}))
        assert json.loads(ws.recv(timeout=10))["payload"] == {"data": {"__typename": "Query"}}
        return ws


def _client_port(conn: http.client.HTTPConnection | ClientConnection) -> int:
    sock = conn.sock if isinstance(conn, http.client.HTTPConnection) else conn.socket
    assert sock is not None
    return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``appeals serve --workers 2`` on SQLite, from the moment it first answers."""
    port = free_port()
    supervisor = supervise(f"sqlite:///{tmp_path / 'a.db'}", port, tmp_path, workers=2)
    try:
        until(lambda: healthy(f"http://127.0.0.1:{port}"), timeout=60, every=0.1)
        result = Served(port, workers_of(supervisor.pid))
        assert len(result.workers) == 2
        # The health checks' own connections are closed before the test opens any.
        until(lambda: not result.held(), timeout=10)
        yield result
        for conn in result.opened:
            conn.close()
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)


def test_connections_are_spread_evenly_over_workers(served: Served) -> None:
    for _ in range(16):
        served.keep_alive()

    until(lambda: len(served.held()) == 16)
    assert Counter(served.held().values()) == dict.fromkeys(served.workers, 8)


def test_new_connections_go_to_the_worker_whose_connections_closed(served: Served) -> None:
    clients = [served.keep_alive() for _ in range(16)]
    until(lambda: len(served.held()) == 16)
    held = served.held()
    emptied = held[_client_port(clients[0])]
    leaving = [conn for conn in clients if held[_client_port(conn)] == emptied]
    for conn in leaving:
        conn.close()
    until(lambda: emptied not in served.held().values())

    fresh = [served.keep_alive() for _ in range(len(leaving))]

    held = served.held()
    assert len(fresh) == 8
    assert {held[_client_port(conn)] for conn in fresh} == {emptied}


def test_graphql_works_over_passed_connections_and_closed_websockets_are_noticed(
    served: Served,
) -> None:
    answer = httpx.post(f"http://127.0.0.1:{served.port}/graphql", json={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}
    until(lambda: not served.held())
    sockets = [served.websocket() for _ in range(4)]
    until(lambda: len(served.held()) == 4)
    held = served.held()
    assert sorted(Counter(held.values()).values()) == [2, 2]
    emptied = held[_client_port(sockets[0])]
    for ws in sockets:
        if held[_client_port(ws)] == emptied:
            ws.close()
    until(lambda: emptied not in served.held().values())

    # Had the two closes gone uncounted, the workers would tie and these would split.
    fresh = [served.keep_alive() for _ in range(2)]

    held = served.held()
    assert [held[_client_port(conn)] for conn in fresh] == [emptied, emptied]


RECEIVE = """mutation($input: ReceiveAppealInput!) {
  receiveAppeal(input: $input) { appeal { status version } position }
}"""


def _receive(port: int, external_id: str) -> dict[str, object]:
    token = Authenticator(SECRET).issue(subject="t", role=Role.OPERATOR, ttl=timedelta(hours=1))
    variables = {
        "input": {
            "channel": "VK",
            "externalId": external_id,
            "text": "Яма",
            "body": "Администрация",
        }
    }
    answer = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        timeout=10,
        json={"query": RECEIVE, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, object] = answer.json()
    return body


def test_the_projection_duty_runs_in_a_process_of_its_own_and_is_restarted(
    tmp_path: Path,
) -> None:
    port = free_port()
    supervisor = supervise(f"sqlite:///{tmp_path / 'a.db'}", port, tmp_path, workers=2)
    lock = tmp_path / "a.db.projections.lock"
    try:
        until(
            lambda: (
                len(workers_of(supervisor.pid)) == 2
                and len(named(supervisor.pid, "appeals-duty")) == 1
                and healthy(f"http://127.0.0.1:{port}")
            ),
            timeout=60,
            every=0.2,
        )
        (duty,) = named(supervisor.pid, "appeals-duty")
        workers = workers_of(supervisor.pid)
        until(lambda: holding(workers | {duty}, lock) == {duty}, timeout=30, every=0.1)

        first = _receive(port, "before")
        os.kill(duty, signal.SIGKILL)
        until(lambda: named(supervisor.pid, "appeals-duty") - {duty} != set(), timeout=30)
        (successor,) = named(supervisor.pid, "appeals-duty")
        until(lambda: holding(workers | {successor}, lock) == {successor}, timeout=30)
        second = _receive(port, "after")

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()

    assert first == {
        "data": {"receiveAppeal": {"appeal": {"status": "RECEIVED", "version": 1}, "position": 1}}
    }
    assert second == {
        "data": {"receiveAppeal": {"appeal": {"status": "RECEIVED", "version": 1}, "position": 2}}
    }
    assert not Path(f"/proc/{successor}").exists()
