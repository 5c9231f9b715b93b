"""View reads from a real streaming hot standby (``APPEALS_READ_DATABASE_URL``).

The test starts its own primary (``initdb``, ``pg_ctl`` on a free port) and a standby of it
(``pg_basebackup -R`` into a temporary directory, a second ``postgres`` on another port),
as the soak does, so pausing the standby's replay disturbs nothing else on the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from api.http.auth import Authenticator
from bench.soak.cluster import Cluster, server_programs
from ledger.values import Role
from tests.api import processes
from tests.api.conftest import LiveServer, free_port, start_server, stop_server
from tests.api.inprocess import SECRET
from tests.waiting import until

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e, "
    'text: "Проверка", body: "Орган"}) { appeal { id } } }'
)
RECEIVE_AT = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e, "
    'text: "Проверка", body: "Орган"}) { appeal { id } position } }'
)
READ_ONE = "query($id: ID!) { appeal(id: $id) { id } }"
READ_MANY = "{ appeals(first: 50) { edges { node { id } } } }"
STATISTICS = "{ statistics(groupBy: [CHANNEL]) { count } }"
WAIT_MS = 1000


def _has_server_programs() -> bool:
    try:
        server_programs()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def standby_pair() -> Iterator[tuple[Cluster, Cluster, str]]:
    """A primary with a database ``appeals`` and a hot standby streaming from it."""
    if not _has_server_programs():
        pytest.skip("no PostgreSQL server programs on this machine")
    folder = Path(tempfile.mkdtemp(prefix="appeals-standby-"))
    folder.chmod(0o711)  # the servers (maybe another user) must reach their data
    primary, standby = Cluster(folder / "primary"), Cluster(folder / "standby")
    try:
        primary.init()
        url = primary.create_database("appeals")
        standby.follow(primary)
        yield primary, standby, url
    finally:
        standby.stop_quietly()
        primary.stop_quietly()
        shutil.rmtree(folder, ignore_errors=True)


def served(live: LiveServer) -> dict[str, float]:
    """``appeals_standby_reads_total`` by server, from ``/metrics``."""
    text = httpx.get(f"{live.url}/metrics", timeout=10).text
    pattern = r'^appeals_standby_reads_total\{served="(\w+)"\} (\S+)$'
    return {m[1]: float(m[2]) for m in re.finditer(pattern, text, re.MULTILINE)}


def receive(live: LiveServer, token: str) -> str:
    answer = live.post(RECEIVE, {"e": uuid.uuid4().hex}, token=token).json()
    assert "errors" not in answer, answer
    return str(answer["data"]["receiveAppeal"]["appeal"]["id"])


def read_one(live: LiveServer, token: str, appeal: str) -> str | None:
    answer = live.post(READ_ONE, {"id": appeal}, token=token).json()
    assert "errors" not in answer, answer
    found = answer["data"]["appeal"]
    return None if found is None else str(found["id"])


def listed(live: LiveServer, token: str) -> set[str]:
    answer = live.post(READ_MANY, token=token).json()
    assert "errors" not in answer, answer
    return {edge["node"]["id"] for edge in answer["data"]["appeals"]["edges"]}


def on_standby(standby: Cluster) -> int:
    """How many appeals the standby's own views hold (read on the standby directly)."""
    with psycopg.connect(standby.admin_url("appeals"), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM appeals_view").fetchone()
    return int(row[0]) if row else 0


def replay(standby: Cluster, action: str) -> None:
    with psycopg.connect(standby.admin_url(), autocommit=True) as conn:
        conn.execute(f"SELECT pg_wal_replay_{action}()")


def replay_paused(standby: Cluster) -> bool:
    with psycopg.connect(standby.admin_url(), autocommit=True) as conn:
        row = conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()
    return row is not None and row[0] == "paused"


def test_reads_go_to_the_standby_and_never_miss_the_clients_own_write(
    standby_pair: tuple[Cluster, Cluster, str], tmp_path: Path
) -> None:
    _, standby, url = standby_pair
    live = start_server(
        url,
        tmp_path / "server.log",
        APPEALS_READ_DATABASE_URL=standby.admin_url("appeals"),
        APPEALS_READ_STANDBY_WAIT_MS=str(WAIT_MS),
    )
    try:
        writer = live.token(Role.SUPERVISOR)
        other = live.token(Role.ADMIN)  # another client: sees every appeal, wrote none

        # Replaying: the client's reads, right after its write, come from the standby.
        first = receive(live, writer)
        before = served(live)
        assert read_one(live, writer, first) == first
        assert first in listed(live, writer)
        after = served(live)
        assert after.get("standby", 0) - before.get("standby", 0) >= 2
        assert after.get("primary", 0) == before.get("primary", 0)

        # Replay paused: the standby lacks the new write, the writer still sees it.
        replay(standby, "pause")
        until(lambda: replay_paused(standby))
        held = on_standby(standby)
        second = receive(live, writer)
        assert on_standby(standby) == held, "the standby's replay is paused"
        before = served(live)
        started = time.monotonic()
        assert read_one(live, writer, second) == second
        waited = time.monotonic() - started
        assert second in listed(live, writer)
        after = served(live)
        assert after.get("primary", 0) - before.get("primary", 0) == 2
        assert waited >= WAIT_MS / 1000 * 0.9, "the read waited for the standby first"
        # A client that wrote nothing reads the standby, as of its (older) replay.
        before = served(live)
        assert read_one(live, other, second) is None
        assert served(live).get("standby", 0) - before.get("standby", 0) == 1

        # Replay resumed: once the standby has the write, the writer reads it there again.
        replay(standby, "resume")
        until(lambda: on_standby(standby) > held, timeout=20)
        before = served(live)
        assert read_one(live, writer, second) == second
        after = served(live)
        assert after.get("standby", 0) - before.get("standby", 0) == 1
        assert after.get("primary", 0) == before.get("primary", 0)

        # The standby goes away: appeal, list and statistics reads fall back to the primary.
        standby.stop()
        before = served(live)
        assert read_one(live, writer, second) == second
        assert {first, second} <= listed(live, writer)
        counted = live.post(STATISTICS, token=writer).json()
        assert "errors" not in counted, counted
        assert sum(g["count"] for g in counted["data"]["statistics"]) >= 2
        after = served(live)
        assert after.get("standby_error", 0) - before.get("standby_error", 0) == 3
    finally:
        stop_server(live)


@pytest.mark.parametrize(
    ("primary", "standby", "message"),
    [
        ("sqlite:///{tmp}/x.db", "postgresql://postgres@127.0.0.1/x", "needs APPEALS_DATABASE_URL"),
        ("{pg}", "mysql://x/y", "give a hot standby's postgresql:// URL"),
        ("{pg}", "postgresql://postgres@127.0.0.1:1/y", "APPEALS_READ_DATABASE_URL: cannot reach"),
    ],
)
def test_serve_refuses_a_standby_it_cannot_use(
    primary: str, standby: str, message: str, pg_admin: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": primary.format(tmp=tmp_path, pg=pg_admin),
        "APPEALS_READ_DATABASE_URL": standby,
    }
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr, done.stderr


def _fresh(url: str, query: str, variables: dict[str, str], token: str, **headers: str) -> Any:
    """One request on a new connection (the supervisor passes it to either worker): the
    serving process (its request ids' prefix), the position header and the data."""
    headers = {"authorization": f"Bearer {token}", **headers}
    # The server bounds its own wait for the views (5 s, then UNAVAILABLE): the client waits
    # longer, so that bound, not httpx's default 5 s, decides on a loaded machine.
    with httpx.Client(timeout=30) as client:
        answer = client.post(
            f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body = answer.json()
    assert "errors" not in body, body
    process = answer.headers["x-request-id"].rsplit("-", 1)[0]
    return process, answer.headers.get("x-appeals-position"), body["data"]


def test_a_client_sending_its_position_reads_its_write_on_every_worker(
    standby_pair: tuple[Cluster, Cluster, str], tmp_path: Path
) -> None:
    _, standby, url = standby_pair
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    supervisor = processes.supervise(
        url,
        port,
        tmp_path,
        workers=2,
        APPEALS_READ_DATABASE_URL=standby.admin_url("appeals"),
        APPEALS_READ_STANDBY_WAIT_MS="300",
    )
    try:
        until(
            lambda: (
                len(processes.named(supervisor.pid, "appeals-worker")) == 2
                and processes.healthy(base)
            ),
            timeout=60,
        )
        token = Authenticator(SECRET).issue(
            subject="ryw", role=Role.SUPERVISOR, ttl=timedelta(hours=1)
        )
        replay(standby, "pause")
        until(lambda: replay_paused(standby))
        carried: list[bool] = []  # read on the other worker with the position: found?
        # Read without it on a worker that served none of the client's writes: one that did
        # knows the client's last write itself and waits for the standby, then asks the primary.
        bare: list[bool] = []
        written: set[str] = set()
        wrote_on: set[str] = set()  # the workers that served a write of this client

        for _ in range(4):
            writer, header, data = _fresh(base, RECEIVE_AT, {"e": uuid.uuid4().hex}, token)
            wrote_on.add(writer)
            appeal = data["receiveAppeal"]["appeal"]["id"]
            written.add(appeal)
            assert header == str(data["receiveAppeal"]["position"])
            reader, _, read = _fresh(
                base, READ_ONE, {"id": appeal}, token, **{"x-appeals-position": header}
            )
            if reader != writer:
                carried.append(read["appeal"] is not None)
            for _ in range(10):  # fresh connections land on either worker
                reader, _, read = _fresh(base, READ_ONE, {"id": appeal}, token)
                if reader not in wrote_on:
                    bare.append(read["appeal"] is not None)
                    break
            _, _, page = _fresh(base, READ_MANY, {}, token, **{"x-appeals-position": header})
            assert written <= {e["node"]["id"] for e in page["appeals"]["edges"]}

        assert carried and all(carried), "with its position, no worker misses the write"
        assert False in bare, "without it, the other worker reads the paused standby"
        replay(standby, "resume")
        until(lambda: on_standby(standby) >= len(written), timeout=20)
        _, _, page = _fresh(base, READ_MANY, {}, token, **{"x-appeals-position": header})
        assert written <= {e["node"]["id"] for e in page["appeals"]["edges"]}
    finally:
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(timeout=60)
