"""What clients see when PostgreSQL drops or refuses the server's connections, and after.

The faults touch only the test's own database: its backends are ended with
``pg_terminate_backend`` filtered on ``datname``, and ``ALLOW_CONNECTIONS false`` makes it
refuse new ones, as a database restart or a failover would for a while.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from ledger.values import Role
from tests.api.conftest import LiveServer, start_server, stop_server
from tests.conftest import create_database, drop_database
from tests.waiting import until

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e, "
    'text: "Проверка", body: "Орган"}) { appeal { id } } }'
)
READ_ONE = "query($id: ID!) { appeal(id: $id) { id } }"
READ_MANY = "{ appeals(first: 1) { edges { node { id } } } }"


@dataclass
class Database:
    """The test database, as its administrator sees it."""

    admin: str
    name: str

    def terminate(self) -> None:
        """End every session on this database (and only on it)."""
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.name,),
            )

    def refuse(self) -> None:
        """Refuse new connections and end the open ones, as a database going down does."""
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        self.terminate()

    def allow(self) -> None:
        """Accept connections again, as a database coming back does."""
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


@pytest.fixture
def served(pg_admin: str, tmp_path: Path) -> Iterator[tuple[LiveServer, Database]]:
    """A server on a database of its own, which the test may take away and give back."""
    url = create_database(pg_admin)
    database = Database(pg_admin, url.rsplit("/", 1)[1])
    server = start_server(url, tmp_path / "server.log")
    try:
        yield server, database
    finally:
        stop_server(server)
        database.allow()
        drop_database(pg_admin, url)


def subscribe(live: LiveServer, token: str) -> ClientConnection:
    """A WebSocket subscribed to every new appeal event."""
    ws = connect(
        live.graphql.replace("http://", "ws://"),
        open_timeout=10,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers={"authorization": f"Bearer {token}"},
    )
    ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
    query = {"query": "subscription { appealEvents { appealId type } }"}
    ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": query}))
    return ws


def receive(live: LiveServer, token: str) -> httpx.Response:
    return live.post(RECEIVE, {"e": uuid.uuid4().hex}, token=token)


def appeal_id(answer: httpx.Response) -> str | None:
    """The new appeal's id, or None when the mutation did not succeed."""
    if answer.status_code != 200:
        return None
    data = answer.json().get("data") or {}
    made = data.get("receiveAppeal")
    return str(made["appeal"]["id"]) if made else None


def events_seen(ws: ClientConnection, within: float) -> set[str]:
    """Ids of the appeals whose events arrive on ``ws`` within ``within`` seconds."""
    seen: set[str] = set()
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            break
        assert message["type"] == "next", message
        seen.add(message["payload"]["data"]["appealEvents"]["appealId"])
    return seen


def delivered_to_all(
    live: LiveServer, token: str, sockets: list[ClientConnection], within: float
) -> bool:
    """Receive appeals until each socket has had the event of one of them, or time runs out.

    New subscriptions are not acknowledged, so the first appeals may precede them.
    """
    made: set[str] = set()
    waiting = set(range(len(sockets)))
    deadline = time.monotonic() + within
    while waiting and time.monotonic() < deadline:
        new = appeal_id(receive(live, token))
        if new is not None:
            made.add(new)
        for index in list(waiting):
            if events_seen(sockets[index], 0.2) & made:
                waiting.discard(index)
    return not waiting


def test_subscriptions_old_and_new_get_events_after_the_database_drops_the_connections(
    served: tuple[LiveServer, Database],
) -> None:
    live, database = served
    token = live.token(Role.SUPERVISOR)
    old = subscribe(live, token)
    assert delivered_to_all(live, token, [old], within=10)

    database.terminate()
    new = subscribe(live, token)

    assert delivered_to_all(live, token, [old, new], within=5)


def test_a_database_that_refuses_connections_is_answered_as_unavailable_and_service_returns(
    served: tuple[LiveServer, Database],
) -> None:
    live, database = served
    token = live.token(Role.SUPERVISOR)
    existing = appeal_id(receive(live, token))
    old = subscribe(live, token)
    assert existing is not None and delivered_to_all(live, token, [old], within=10)

    database.refuse()
    started = time.monotonic()
    read_one = live.post(READ_ONE, {"id": existing}, token=token)
    read_one_seconds = time.monotonic() - started
    started = time.monotonic()
    read_many = live.post(READ_MANY, token=token)
    read_many_seconds = time.monotonic() - started
    started = time.monotonic()
    mutation = receive(live, token)
    mutation_seconds = time.monotonic() - started
    started = time.monotonic()
    ready = httpx.get(f"{live.url}/readyz", timeout=30)
    ready_seconds = time.monotonic() - started
    metrics = httpx.get(f"{live.url}/metrics", timeout=30)

    for answer, seconds, bound in (
        (read_one, read_one_seconds, 3),
        (read_many, read_many_seconds, 3),
        (mutation, mutation_seconds, 10),
    ):
        assert answer.status_code == 503, answer.text
        assert int(answer.headers["retry-after"]) >= 1
        assert {e["extensions"]["code"] for e in answer.json()["errors"]} == {"UNAVAILABLE"}
        assert seconds < bound, (answer.text, seconds)
    assert ready.status_code == 503
    assert ready_seconds < 3
    assert metrics.status_code == 200

    database.allow()
    back = time.monotonic()
    new = subscribe(live, token)
    assert delivered_to_all(live, token, [old, new], within=5)
    read = live.post(READ_ONE, {"id": existing}, token=token)
    assert read.status_code == 200 and read.json()["data"]["appeal"]["id"] == existing
    until(
        lambda: httpx.get(f"{live.url}/readyz", timeout=5).status_code == 200,
        timeout=max(0.0, back + 5 - time.monotonic()) + 0.01,
        every=0.1,
    )


def test_a_sqlite_store_locked_by_another_process_is_answered_as_unavailable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "appeals.db"
    live = start_server(
        f"sqlite:///{path}", tmp_path / "server.log", APPEALS_DB_STATEMENT_TIMEOUT="1"
    )
    try:
        token = live.token(Role.SUPERVISOR)
        assert appeal_id(receive(live, token)) is not None
        other = sqlite3.connect(path, isolation_level=None)

        other.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        locked = receive(live, token)
        seconds = time.monotonic() - started
        other.execute("ROLLBACK")
        unlocked = receive(live, token)

        assert locked.status_code == 503, locked.text
        assert int(locked.headers["retry-after"]) >= 1
        assert [e["extensions"]["code"] for e in locked.json()["errors"]] == ["UNAVAILABLE"]
        assert seconds < 10
        assert appeal_id(unlocked) is not None
    finally:
        stop_server(live)
