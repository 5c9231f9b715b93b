"""Watching an ``appeals serve --workers`` supervisor from outside: its children, sockets, health.

Read from ``/proc`` and ``ss``, as an operator would, so the tests depend on nothing inside
the processes they watch.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from pathlib import Path

import httpx

from bench.child import start_appeals
from tests.api.inprocess import SECRET
from tests.waiting import until


def children(pid: int) -> set[int]:
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


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def named(supervisor: int, name: str) -> set[int]:
    """The supervisor's children of one kind, by the name they give themselves."""
    found = set()
    for pid in children(supervisor):
        try:
            zombie = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
            if not zombie and Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.add(pid)
        except OSError:
            continue
    return found


def workers_of(supervisor: int) -> set[int]:
    """The supervisor's API workers (not the duty process, not the resource tracker)."""
    return named(supervisor, "appeals-worker")


def served_by(port: int, pids: set[int]) -> dict[int, int]:
    """Which of ``pids`` holds each established connection to ``port``, by the client's port."""
    clients = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        _, local, remote, state, *_, inode = line.split()[:10]
        if state == "01" and int(local.split(":")[1], 16) == port:  # ESTABLISHED
            clients[f"socket:[{inode}]"] = int(remote.split(":")[1], 16)
    held = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target in clients:
                held[clients[target]] = pid
    return held


def each_answered(clients: list[httpx.Client], port: int, workers: set[int]) -> bool:
    """Open one more kept-alive connection; whether every worker now holds one it answered."""
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5)
    clients.append(client)
    assert client.get("/healthz").status_code == 200
    return set(served_by(port, workers).values()) == workers


def wait_until_each_answers(port: int, workers: set[int]) -> None:
    """Open kept-alive connections until every one of ``workers`` has answered one."""
    clients: list[httpx.Client] = []
    try:
        until(lambda: each_answered(clients, port, workers), timeout=60, every=0.05)
    finally:
        for client in clients:
            client.close()


def listeners(port: int) -> set[int]:
    out = subprocess.run(
        ["ss", "-tlnpH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+)", out)}


def holding(pids: set[int], path: Path) -> set[int]:
    """Which of ``pids`` have ``path`` open."""
    found = set()
    for pid in pids:
        with contextlib.suppress(OSError):  # a process that exited holds nothing
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == str(path):
                        found.add(pid)
    return found


def supervise(
    database_url: str, port: int, folder: Path, workers: int, **extra_env: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": database_url,
        "APPEALS_JWT_SECRET": SECRET,
        "APPEALS_KEYS_DIR": str(folder / "keys"),
        **extra_env,
    }
    return start_appeals(
        ["serve", "--port", str(port), "--workers", str(workers)],
        folder / f"serve-{port}-{workers}.log",
        env,
    )
