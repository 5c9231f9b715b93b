"""``appeals serve --workers 2``: a socket per worker, a dead worker restarted, clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.api.conftest import SECRET, free_port
from tests.waiting import until


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _listeners(port: int) -> set[int]:
    out = subprocess.run(["ss", "-tlnpH", f"sport = :{port}"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return {int(pid) for pid in re.findall(r"pid=(\d+)", out)}


def test_two_workers_serve_one_port_and_a_dead_one_is_replaced(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "APPEALS_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
           "APPEALS_JWT_SECRET": SECRET, "APPEALS_KEYS_DIR": str(tmp_path / "keys")}  # fmt: skip
    with (tmp_path / "serve.log").open("wb") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # Each worker listens on a socket of its own, and both are the supervisor's children.
        until(lambda: len(_listeners(port)) == 2 and _healthy(url), timeout=60, every=0.2)
        workers = _listeners(port)
        assert workers <= _children(supervisor.pid)

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        until(
            lambda: len(_listeners(port)) == 2 and victim not in _listeners(port),
            timeout=60,
            every=0.2,
        )
        assert _listeners(port) <= _children(supervisor.pid)
        until(lambda: all(_healthy(url) for _ in range(5)), timeout=60, every=0.2)

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert not _listeners(port)
        assert not (workers - {victim}) & {int(p.name) for p in Path("/proc").iterdir()
                                           if p.name.isdigit()}  # fmt: skip
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def _supervise(database_url: str, port: int, folder: Path, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "APPEALS_DATABASE_URL": database_url, "APPEALS_JWT_SECRET": SECRET,
           "APPEALS_KEYS_DIR": str(folder / "keys")}  # fmt: skip
    with (folder / f"serve-{port}-{workers}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def test_workers_starting_together_on_a_new_database_do_not_race(
    postgres_url: str, tmp_path: Path
) -> None:
    port = free_port()
    supervisor = _supervise(postgres_url, port, tmp_path, workers=3)
    try:
        until(
            lambda: len(_listeners(port)) == 3 and _healthy(f"http://127.0.0.1:{port}"),
            timeout=60,
            every=0.2,
        )
        first = _listeners(port)
        time.sleep(1)  # a worker that crashed at start-up would be replaced by now

        assert _listeners(port) == first
        log = next(tmp_path.glob("serve-*.log")).read_text()
        assert "Traceback" not in log and "restarting" not in log
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)


def test_a_second_server_on_a_taken_port_refuses_with_one_line(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first = _supervise(url, port, tmp_path, workers=2)
    try:
        until(lambda: len(_listeners(port)) == 2, timeout=60, every=0.2)
        (tmp_path / "second").mkdir()

        second = _supervise(url, port, tmp_path / "second", workers=2)

        assert second.wait(timeout=60) == 2
        log = next((tmp_path / "second").glob("serve-*.log")).read_text()
        assert "cannot listen on" in log
        assert _listeners(port) <= _children(first.pid)
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
