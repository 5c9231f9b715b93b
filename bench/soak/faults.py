"""The faults a soak injects, on a schedule, and when service could be back after each.

PostgreSQL faults count from the moment the server accepts connections again (its restart)
or from the fault itself (ended sessions); process faults from the kill, or, for the
supervisor, from the fresh start the harness makes at once (as systemd would).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.soak.cluster import Cluster
from bench.soak.server import Server

POSTGRES_FAULTS = (
    "kill worker",
    "kill duty",
    "kill supervisor",
    "restart postgres",
    "terminate connections",
)
SQLITE_FAULTS = ("kill mid-write",)


@dataclass(frozen=True)
class Injected:
    """A fault as it happened: its kind, when, and from when service could return."""

    kind: str
    at: float
    reference: float


def schedule(kinds: tuple[str, ...], start: float, end: float) -> list[tuple[float, str]]:
    """Faults spread evenly over ``[start, end)``, cycling through ``kinds``, each once at least."""
    # A fault every 25 s or so in a long run; a short one still gets each kind once.
    span = max(0.0, end - start)
    count = max(len(kinds), int(span // 25.0))
    step = span / count
    return [(start + step * n, kinds[n % len(kinds)]) for n in range(count)]


class Injector:
    """Injects faults into one served store."""

    def __init__(self, server: Server, cluster: Cluster | None, database: str) -> None:
        self.server, self.cluster, self.database = server, cluster, database
        self.actions: dict[str, Callable[[], float]] = {
            "kill worker": lambda: self._kill("appeals-worker"),
            "kill duty": lambda: self._kill("appeals-duty"),
            "kill supervisor": self._kill_supervisor,
            "restart postgres": self._restart_postgres,
            "terminate connections": self._terminate,
            "kill mid-write": self._kill_supervisor,
        }

    def inject(self, kind: str) -> Injected:
        at = time.monotonic()
        return Injected(kind, at, self.actions[kind]())

    def _kill(self, name: str) -> float:
        pids = self.server.named(name)
        if pids:
            self.server.kill(pids[0])
        return time.monotonic()

    def _kill_supervisor(self) -> float:
        self.server.kill_all()
        return self.server.start()

    def _restart_postgres(self) -> float:
        assert self.cluster is not None
        return self.cluster.restart()

    def _terminate(self) -> float:
        assert self.cluster is not None
        self.cluster.terminate(self.database)
        return time.monotonic()
