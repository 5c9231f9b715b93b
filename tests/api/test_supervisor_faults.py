"""``appeals serve --workers 2`` under faults: a SIGKILLed supervisor takes its children with
it, and a supervisor out of file descriptors waits instead of dying."""

from __future__ import annotations

import fcntl
import os
import resource
import signal
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

from tests.api import processes
from tests.api.conftest import free_port
from tests.waiting import until


def _running(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still run (a zombie has stopped, whoever reaps it)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def _up(supervisor: subprocess.Popen[bytes], port: int) -> bool:
    """Both workers and the duty process run, and the server answers."""
    return (
        len(processes.named(supervisor.pid, "appeals-worker")) == 2
        and len(processes.named(supervisor.pid, "appeals-duty")) == 1
        and processes.healthy(f"http://127.0.0.1:{port}")
    )


def _stop(supervisor: subprocess.Popen[bytes]) -> None:
    if supervisor.poll() is None:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=30)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait()


def test_a_killed_supervisor_takes_its_children_and_the_projection_lock_with_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    lock = tmp_path / "a.db.projections.lock"
    port = free_port()
    supervisor = processes.supervise(url, port, tmp_path, workers=2)
    try:
        until(lambda: _up(supervisor, port), timeout=60, every=0.2)
        (duty,) = processes.named(supervisor.pid, "appeals-duty")
        os.kill(duty, signal.SIGKILL)  # its successor, started later, must go too
        until(lambda: processes.named(supervisor.pid, "appeals-duty") - {duty} != set(), timeout=30)
        (successor,) = processes.named(supervisor.pid, "appeals-duty")
        until(lambda: processes.holding({successor}, lock) == {successor}, timeout=30)
        assert not _free(lock)
        children = _running(processes.children(supervisor.pid))  # two workers and the duty

        supervisor.kill()
        supervisor.wait()

        assert len(children) == 3
        until(lambda: not _running(children), timeout=3, every=0.05)
        assert _free(lock)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_a_killed_supervisor_s_workers_stop_within_seconds_even_mid_request(
    tmp_path: Path,
) -> None:
    # A drain would wait a minute for the request below; an orphan drains for seconds only.
    port = free_port()
    supervisor = processes.supervise(
        f"sqlite:///{tmp_path / 'a.db'}",
        port,
        tmp_path,
        workers=2,
        APPEALS_SHUTDOWN_TIMEOUT="60",
        APPEALS_BODY_TIMEOUT="60",
    )
    try:
        until(lambda: _up(supervisor, port), timeout=60, every=0.2)
        workers = processes.workers_of(supervisor.pid)
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(
                b"POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
                b"content-length: 1000\r\n\r\n{"  # and the rest of the body never comes
            )
            mine = slow.getsockname()[1]
            until(lambda: mine in processes.served_by(port, workers), timeout=10)
            children = _running(processes.children(supervisor.pid))

            supervisor.kill()
            supervisor.wait()

            until(lambda: not _running(children), timeout=15, every=0.1)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def _free(lock: Path) -> bool:
    """Whether a new duty could take the SQLite projection lock (``api.runtime.leader``) now."""
    with lock.open("a") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(file, fcntl.LOCK_UN)
        return True


def _advisory_locks(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
            "database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database())"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_killed_supervisor_on_postgresql_leaves_no_process_and_no_lock(
    postgres_url: str, tmp_path: Path
) -> None:
    port = free_port()
    supervisor = processes.supervise(postgres_url, port, tmp_path, workers=2)
    try:
        until(lambda: _up(supervisor, port), timeout=60, every=0.2)
        until(lambda: _advisory_locks(postgres_url) == 1, timeout=30)
        children = _running(processes.children(supervisor.pid))

        supervisor.kill()
        supervisor.wait()

        until(lambda: not _running(children), timeout=3, every=0.05)
        until(lambda: _advisory_locks(postgres_url) == 0, timeout=3)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_a_supervisor_out_of_descriptors_waits_and_then_serves(tmp_path: Path) -> None:
    port = free_port()
    supervisor = processes.supervise(f"sqlite:///{tmp_path / 'a.db'}", port, tmp_path, workers=2)
    log = next(tmp_path.glob("serve-*.log"))
    try:
        until(lambda: _up(supervisor, port), timeout=60, every=0.2)
        soft, hard = resource.prlimit(supervisor.pid, resource.RLIMIT_NOFILE)
        held = {int(fd.name) for fd in Path(f"/proc/{supervisor.pid}/fd").iterdir()}
        lowest_free = min(set(range(len(held) + 1)) - held)
        # No descriptor below the limit is free: the next accept fails with EMFILE.
        resource.prlimit(supervisor.pid, resource.RLIMIT_NOFILE, (lowest_free, hard))

        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(httpx.get, f"http://127.0.0.1:{port}/healthz", timeout=30)
            until(
                lambda: "cannot accept" in log.read_text() or supervisor.poll() is not None,
                timeout=10,
            )
            resource.prlimit(supervisor.pid, resource.RLIMIT_NOFILE, (soft, hard))
            answer = waiting.result()

        assert answer.status_code == 200
        assert supervisor.poll() is None
        assert "Too many open files" in log.read_text()
    finally:
        _stop(supervisor)
