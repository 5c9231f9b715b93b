"""A lean closed-loop HTTP/1.1 load generator for benches on this 2-core machine.

A Python client built on a full HTTP library would spend as much CPU per request as the
server it measures. This one keeps ``concurrency`` keep-alive connections open, each an
``asyncio.Protocol`` (on uvloop when installed) that writes a pre-encoded request, parses
only the status line and ``Content-Length`` of the answer, records the latency and writes the
next request. Every phase is bounded in time; the CPU the generator used is measured, so a
bench can say how much of the machine it took from the server.

Only loopback addresses are accepted as targets.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

RequestFor = Callable[[int], bytes]
"""The full request bytes for the n-th request of a run (n counts up from 0 across phases)."""

_HEADER_END = b"\r\n\r\n"


def post_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """A keep-alive HTTP/1.1 POST, encoded once."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: keep-alive",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def graphql_request(
    host: str, port: int, query: str, variables: dict[str, object], token: str
) -> bytes:
    """A GraphQL POST with a bearer token, encoded once."""
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return post_request(host, port, "/graphql", body, headers)


@dataclass
class Phase:
    """What one bounded phase of load measured."""

    seconds: float
    latencies_ns: list[int]
    errors: int
    client_cpu_seconds: float
    first_error: str | None = None

    @property
    def requests(self) -> int:
        """Answers that came back well (HTTP 200, no GraphQL ``errors``)."""
        return len(self.latencies_ns)

    @property
    def rps(self) -> float:
        """Good answers per second of wall time."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        """Latency at quantile ``q`` (0-100) in milliseconds, nearest rank."""
        if not self.latencies_ns:
            return float("nan")
        ordered = sorted(self.latencies_ns)
        rank = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[rank] / 1e6

    @property
    def client_cpu_us_per_request(self) -> float:
        """Generator CPU per answered request, in microseconds."""
        total = self.requests + self.errors
        return self.client_cpu_seconds / total * 1e6 if total else float("nan")


@dataclass
class _Run:
    """Shared state of the connections during one phase."""

    request_for: RequestFor
    sequence: int = 0
    deadline: float = 0.0
    active: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    finished: asyncio.Future[None] | None = None

    def next_request(self) -> bytes:
        request = self.request_for(self.sequence)
        self.sequence += 1
        return request

    def idle(self) -> None:
        self.active -= 1
        if self.active == 0 and self.finished is not None and not self.finished.done():
            self.finished.set_result(None)


class _Connection(asyncio.Protocol):
    """One keep-alive connection: request, response, next request, until the deadline."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.started = 0
        self.busy = False
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def send(self) -> None:
        assert self.transport is not None
        self.busy = True
        request = self.run.next_request()
        self.started = time.perf_counter_ns()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(_HEADER_END)
            if end < 0:
                return
            head = self.buffer[:end]
            length = _content_length(head)
            if length is None:
                raise RuntimeError(f"response without Content-Length: {head[:200]!r}")
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = self.buffer[end + 4 : total]
            self.buffer = self.buffer[total:]
            self._answered(head, body)

    def _answered(self, head: bytes, body: bytes) -> None:
        elapsed = time.perf_counter_ns() - self.started
        run = self.run
        if head.startswith(b"HTTP/1.1 200") and b'"errors"' not in body:
            run.latencies_ns.append(elapsed)
        else:
            run.errors += 1
            if run.first_error is None:
                run.first_error = (head.split(b"\r\n", 1)[0] + b" " + body[:300]).decode(
                    "utf-8", "replace"
                )
        if time.perf_counter() < run.deadline:
            self.send()
        else:
            self.busy = False
            run.idle()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.busy:
            self.busy = False
            self.run.errors += 1
            if self.run.first_error is None:
                self.run.first_error = f"connection lost: {exc!r}"
            self.run.idle()
        if not self.lost.done():
            self.lost.set_result(None)


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None


@dataclass(frozen=True)
class Rounds:
    """How a closed-loop measurement runs: connections, a warm-up, then rounds of seconds."""

    concurrency: int = 16
    warmup: float = 3.0
    seconds: float = 5.0
    rounds: int = 3


class Load:
    """``concurrency`` open connections to a loopback server, driven phase by phase."""

    def __init__(self, host: str, port: int, concurrency: int, request_for: RequestFor) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"load is only ever sent to loopback addresses, not {host}")
        self.host, self.port, self.concurrency = host, port, concurrency
        self.run = _Run(request_for)
        self.connections: list[_Connection] = []

    async def __aenter__(self) -> Load:
        loop = asyncio.get_running_loop()
        for _ in range(self.concurrency):
            _, protocol = await loop.create_connection(
                lambda: _Connection(self.run), self.host, self.port
            )
            self.connections.append(protocol)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for connection in self.connections:
            if connection.transport is not None:
                connection.transport.close()
        await asyncio.wait_for(asyncio.gather(*(c.lost for c in self.connections)), timeout=10)

    async def phase(self, seconds: float) -> Phase:
        """Keep every connection busy for ``seconds``; waits for the requests in flight."""
        run = self.run
        run.latencies_ns, run.errors, run.first_error = [], 0, None
        run.finished = asyncio.get_running_loop().create_future()
        live = [c for c in self.connections if not c.lost.done()]
        if not live:
            raise RuntimeError("every connection to the server is closed")
        run.active = len(live)
        cpu = time.process_time()
        started = time.perf_counter()
        run.deadline = started + seconds
        for connection in live:
            connection.send()
        # Requests in flight at the deadline still count: bound the wait for them.
        await asyncio.wait_for(run.finished, timeout=seconds + 30)
        elapsed = time.perf_counter() - started
        return Phase(
            seconds=elapsed,
            latencies_ns=run.latencies_ns,
            errors=run.errors,
            client_cpu_seconds=time.process_time() - cpu,
            first_error=run.first_error,
        )


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop when it is installed (it is, with ``uvicorn[standard]``), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it on Linux
        return asyncio.new_event_loop
    return uvloop.new_event_loop


# --- CPU accounting from /proc (Linux) -----------------------------------------------------

_TICKS = 100.0  # USER_HZ; os.sysconf("SC_CLK_TCK") is 100 on every Linux we run on


def _proc_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads), or 0 when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _children(pid: int) -> Iterator[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return
    for task in tasks:
        try:
            listed = (task / "children").read_text().split()
        except OSError:
            continue
        for child in listed:
            yield int(child)
            yield from _children(int(child))


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of a process and each of its live descendants, by pid."""
    return {p: _proc_cpu_seconds(p) for p in (pid, *_children(pid))}


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of every process named ``postgres`` on the machine (all backends), by pid."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                found[int(entry.name)] = _proc_cpu_seconds(int(entry.name))
        except OSError:
            continue
    return found


def _grown(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples by the processes alive at the second (new ones from 0)."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) / _TICKS for v in first]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)
    total = sum(values[:8])
    return total - idle, total


@dataclass
class CpuSplit:
    """Cores used (CPU seconds per wall second) during a phase, by party."""

    generator: float
    server: float
    postgres: float
    machine: float

    @property
    def other(self) -> float:
        """Everything else on the machine (other tenants, the kernel)."""
        return max(0.0, self.machine - self.generator - self.server - self.postgres)


class CpuMeter:
    """Samples CPU counters before and after a phase."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self._wall = self._own = self._busy = 0.0
        self._server: dict[int, float] = {}
        self._postgres: dict[int, float] = {}

    def start(self) -> None:
        self._server, self._postgres = tree_cpu(self.server_pid), postgres_cpu()
        self._busy, _ = machine_busy_seconds()
        self._wall, self._own = time.perf_counter(), time.process_time()

    def stop(self) -> CpuSplit:
        wall = time.perf_counter() - self._wall
        own = time.process_time() - self._own
        busy, _ = machine_busy_seconds()
        return CpuSplit(
            generator=own / wall,
            server=_grown(self._server, tree_cpu(self.server_pid)) / wall,
            postgres=_grown(self._postgres, postgres_cpu()) / wall,
            machine=(busy - self._busy) / wall,
        )


def median_split(splits: list[CpuSplit]) -> CpuSplit:
    """Per-party medians over rounds."""
    return CpuSplit(
        generator=statistics.median(s.generator for s in splits),
        server=statistics.median(s.server for s in splits),
        postgres=statistics.median(s.postgres for s in splits),
        machine=statistics.median(s.machine for s in splits),
    )
