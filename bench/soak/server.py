"""The served API under test: ``appeals serve --workers N`` as a child of the harness.

Processes are found by the names they give themselves (``appeals-worker``, ``appeals-duty``)
among the supervisor's children. Their memory is measured as PSS (``/proc/PID/smaps_rollup``):
each page counted once, split among the processes sharing it. A sum of resident sets counts
the pages a forked child shares with the supervisor once per process (299 MB summed RSS
against 128 MB PSS for ``serve --workers 2``), and a fresh child shares more than an old one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from bench.child import start_appeals


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has stopped, whoever reaps it)."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def comm(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (0 once it is gone)."""
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size of one process (0 once it is gone)."""
    try:
        for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Server:
    """A supervisor (or, with one worker, a single server process) the harness can kill."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path) -> None:
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 90.0) -> float:
        """Start it and wait until every process is up and it answers; when it started."""
        args = ["serve", "--port", str(self.port)]
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        self.process = start_appeals(args, self.log, self.env, append=True)
        started = time.monotonic()
        deadline = started + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}: see {self.log}"
                )
            if self._complete() and self.answers():
                return started
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start within {wait:.0f} s: see {self.log}")

    def _complete(self) -> bool:
        if self.workers == 1:
            return True
        named = [comm(pid) for pid in self.kids()]
        return named.count("appeals-worker") == self.workers and "appeals-duty" in named

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def kids(self) -> set[int]:
        return children(self.process.pid) if self.process is not None else set()

    def named(self, name: str) -> list[int]:
        return sorted(pid for pid in self.kids() if comm(pid) == name)

    def pids(self) -> list[int]:
        """The supervisor and its workers and duty process."""
        if self.process is None:
            return []
        return [self.process.pid, *self.named("appeals-worker"), *self.named("appeals-duty")]

    def memory(self) -> int:
        """Resident bytes of every process serving, summed (shared pages counted again)."""
        return sum(rss_bytes(pid) for pid in self.pids())

    def proportional(self) -> dict[int, tuple[str, int]]:
        """Each serving process's kind (``supervisor``, ``worker``, ``duty``) and PSS bytes."""
        kinds = {pid: comm(pid).removeprefix("appeals-") for pid in self.pids()}
        if self.process is not None:
            kinds[self.process.pid] = "supervisor" if self.workers > 1 else "server"
        return {pid: (kind, pss_bytes(pid)) for pid, kind in kinds.items()}

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def kill_all(self) -> None:
        """SIGKILL the supervisor (its children follow it: ``api.lifeline``) and reap it."""
        assert self.process is not None
        kids = self.kids()
        self.process.kill()
        self.process.wait()
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in kids):
            if time.monotonic() > deadline:
                for pid in kids:
                    if alive(pid):
                        os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.05)

    def stop(self) -> int:
        """SIGTERM, a drained stop; the exit status."""
        if self.process is None or self.process.poll() is not None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
