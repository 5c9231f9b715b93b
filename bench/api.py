"""The GraphQL API on PostgreSQL with ~1M events, beside the in-process ledger and raw driver.

One run: a fresh database gets ``appeals demo`` data (250,000 appeals, about 1.3M events) and
caught-up views. Then, for ``appeals serve --workers 1`` and ``--workers 2`` in turn, each on
a free loopback port, a lean keep-alive load generator (``bench.load``) drives at 16
connections, after a warm-up, in bounded rounds (with ``--workers 2`` the server is the
supervisor, two API workers and the projection-duty process; their CPU is counted together):

- ``appeal(id)`` with a realistic selection, over random ids;
- an ``appeals(first: 50)`` page (the first page, newest first; ``totalCount`` is not asked
  for, yet today it is counted anyway: see the raw driver's ``count(*)``);
- ``receiveAppeal`` with a unique ``externalId`` each (read-your-writes included);
- an ``appeals(first: 20)`` page and the same page of a full-text search
  (``filter: {text: "фонари не горят"}``), whose rate the issue wants at least half the plain
  page's.

Beside them, in the same run and on the same database: the read model's ``get_appeal`` and
``list_appeals(first=50)``, ``ledger.get_appeal`` (the aggregate from its events) and
``ledger.receive_appeal`` per second, in process; and the raw driver running the read
model's statements. Figures are medians over rounds; the CPU each party used (generator,
server processes, PostgreSQL backends) is reported beside them.

``python -m bench.api --appeals 20000 --seconds 3`` is a quick look; the issue's figures need
the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

from api.bootstrap import build
from api.bootstrap import read_side as read_side_for
from api.commands.demo import load_demo
from api.container import Container
from api.http.auth import Authenticator
from api.settings import Settings
from audit.service import AuditService
from bench.child import start_appeals
from bench.harness import Report, median, postgres_database, print_report
from bench.load import (
    CpuMeter,
    CpuSplit,
    Load,
    Phase,
    Rounds,
    event_loop_factory,
    graphql_request,
    median_split,
)
from ledger.values import Actor, Role
from projections.appeals_view import TABLE
from projections.models import AppealFilter, AppealOrder

HOST = "127.0.0.1"
SECRET = "bench-secret-" + "s" * 40
OPERATOR = Actor("bench-operator", Role.OPERATOR)
TEXT = "Не горят фонари на улице Мира, дом 5"
BODY = "Администрация города"

APPEAL_QUERY = """query Appeal($id: ID!) {
  appeal(id: $id) { id status channel body department receivedAt overdue version }
}"""
PAGE_QUERY = """query Page {
  appeals(first: 50) {
    edges { cursor node { id status channel body department receivedAt overdue version } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SMALL_PAGE_QUERY = """query SmallPage {
  appeals(first: 20) {
    edges { cursor node { id status channel body department receivedAt overdue version } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SEARCH_QUERY = """query Search {
  appeals(first: 20, filter: {text: "фонари не горят"}) {
    edges { cursor node { id status channel body department receivedAt overdue version } }
    pageInfo { hasNextPage endCursor }
  }
}"""
# The same pages, each request with a filter of its own that changes no row (received before
# an instant far ahead, a microsecond apart): the page cache never holds their answer.
UNCACHED_PAGE_QUERY = """query Page($to: DateTime!) {
  appeals(first: 50, filter: {receivedTo: $to}) {
    edges { cursor node { id status channel body department receivedAt overdue version } }
    pageInfo { hasNextPage endCursor }
  }
}"""
UNCACHED_SMALL_PAGE_QUERY = UNCACHED_PAGE_QUERY.replace("first: 50", "first: 20")
UNCACHED_SEARCH_QUERY = UNCACHED_SMALL_PAGE_QUERY.replace(
    "filter: {receivedTo: $to}", 'filter: {receivedTo: $to, text: "фонари не горят"}'
)
FAR = datetime(2100, 1, 1, tzinfo=UTC)
RECEIVE_MUTATION = """mutation Receive($input: ReceiveAppealInput!) {
  receiveAppeal(input: $input) { appeal { id status version } position created }
}"""

TARGETS = {
    "appeal(id)": "target >= 1,500 req/s, p99 <= 15 ms",
    "receiveAppeal": "target >= 800/s",
    "appeals(first: 50)": "target >= 800 req/s, p99 <= 50 ms",
    "appeals(first: 20, text)": "target >= 0.5 x appeals(first: 20)",
    "appeals(first: 50), uncached": "target >= 800 req/s, p99 <= 50 ms (issue: the page)",
    "appeals(first: 20, text), uncached": "target >= 0.5 x appeals(first: 20), uncached",
}


@dataclass(frozen=True)
class Options(Rounds):
    """How much data and how long each measurement runs."""

    appeals: int = 250_000
    workers: tuple[int, ...] = (1, 2)
    inproc_seconds: float = 2.0
    store: str | None = None
    """An existing store already loaded (its views caught up) instead of a fresh one."""


# --- the server under test ------------------------------------------------------------------


@dataclass
class Server:
    """A running ``appeals serve`` subprocess."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{self.port}{path}", timeout=5) as answer:
                return int(answer.status), bytes(answer.read())
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(database_url: str, workers: int, folder: Path) -> Iterator[Server]:
    """``appeals serve --workers N`` on a free loopback port, ready (views caught up)."""
    port = _free_port()
    log = folder / f"server-{workers}w.log"
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": database_url,
        "APPEALS_JWT_SECRET": SECRET,
        # The bench is one client at thousands of requests a minute.
        "APPEALS_RATE_LIMIT_PER_MINUTE": str(10**9),
        "APPEALS_KEYS_DIR": str(folder / "keys"),
    }
    process = start_appeals(
        ["serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        log,
        env,
        new_session=True,
    )
    server = Server(port, process, log)
    try:
        _wait_ready(server, timeout=300)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)


def _wait_ready(server: Server, timeout: float) -> None:
    """Poll ``/readyz`` until 200 (the store answers and every view is within the lag bound)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()[-2000:]}")
        try:
            status, body = server.get("/readyz")
            if status == 200:
                _wait_opendata(server, deadline)
                return
            last = f"{status} {body[:200]!r}"
        except (OSError, urllib.error.URLError) as error:
            last = repr(error)
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout:.0f}s: {last}")


def _wait_opendata(server: Server, deadline: float) -> None:
    """Until the duty has stored its first build of the open-data package.

    Only the duty process builds it (``opendata.publisher``); until it is stored, ``/opendata/``
    answers 503. Waiting keeps that first build (minutes of CPU over 1M events, in the duty
    process) out of the measured rounds as far as the duty allows.
    """
    while time.monotonic() < deadline:
        status, _ = server.get("/opendata/")
        if status == 200:
            return
        time.sleep(1.0)


# --- load phases ----------------------------------------------------------------------------


@dataclass
class Scenario:
    """One kind of request the generator sends."""

    name: str
    request_for: Callable[[int], bytes]


def scenarios(port: int, token: str, ids: list[uuid.UUID], tag: str) -> list[Scenario]:
    """The three requests of the issue, pre-encoded where they can be."""
    appeal_requests = [
        graphql_request(HOST, port, APPEAL_QUERY, {"id": str(i)}, token) for i in ids
    ]
    page_request = graphql_request(HOST, port, PAGE_QUERY, {}, token)
    small_page_request = graphql_request(HOST, port, SMALL_PAGE_QUERY, {}, token)
    search_request = graphql_request(HOST, port, SEARCH_QUERY, {}, token)

    def uncached(query: str) -> Callable[[int], bytes]:
        def request(n: int) -> bytes:
            variables: dict[str, object] = {"to": (FAR + timedelta(microseconds=n)).isoformat()}
            return graphql_request(HOST, port, query, variables, token)

        return request

    def receive(n: int) -> bytes:
        variables: dict[str, object] = {
            "input": {
                "channel": "EMAIL",
                "externalId": f"bench-{tag}-{n}",
                "text": TEXT,
                "body": BODY,
            }
        }
        return graphql_request(HOST, port, RECEIVE_MUTATION, variables, token)

    return [
        Scenario("appeal(id)", lambda n: appeal_requests[n % len(appeal_requests)]),
        Scenario("appeals(first: 50)", lambda n: page_request),
        Scenario("appeals(first: 20)", lambda n: small_page_request),
        Scenario("appeals(first: 20, text)", lambda n: search_request),
        Scenario("appeals(first: 50), uncached", uncached(UNCACHED_PAGE_QUERY)),
        Scenario("appeals(first: 20), uncached", uncached(UNCACHED_SMALL_PAGE_QUERY)),
        Scenario("appeals(first: 20, text), uncached", uncached(UNCACHED_SEARCH_QUERY)),
        Scenario("receiveAppeal", receive),
    ]


@dataclass
class Measured:
    """Medians over rounds of one scenario against one server configuration."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu: CpuSplit
    generator_us_per_request: float
    first_error: str | None


async def _drive(server: Server, scenario: Scenario, options: Options) -> Measured:
    meter = CpuMeter(server.process.pid)
    phases: list[Phase] = []
    splits: list[CpuSplit] = []
    load = Load(HOST, server.port, options.concurrency, scenario.request_for)
    async with load:
        await load.phase(options.warmup)
        for _ in range(options.rounds):
            meter.start()
            phases.append(await load.phase(options.seconds))
            splits.append(meter.stop())
    first_error = next((p.first_error for p in phases if p.first_error), None)
    return Measured(
        rps=median([p.rps for p in phases]),
        p50_ms=median([p.percentile_ms(50) for p in phases]),
        p99_ms=median([p.percentile_ms(99) for p in phases]),
        errors=sum(p.errors for p in phases),
        requests=sum(p.requests for p in phases),
        cpu=median_split(splits),
        generator_us_per_request=median([p.client_cpu_us_per_request for p in phases]),
        first_error=first_error,
    )


def measure_server(
    server: Server, token: str, ids: list[uuid.UUID], options: Options, tag: str
) -> dict[str, Measured]:
    """Every scenario against one running server."""
    results: dict[str, Measured] = {}
    for scenario in scenarios(server.port, token, ids, tag):
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            results[scenario.name] = runner.run(_drive(server, scenario, options))
        if results[scenario.name].requests == 0:
            raise RuntimeError(
                f"{scenario.name}: no good answer; first error: {results[scenario.name].first_error}"
            )
    return results


# --- in process and raw driver --------------------------------------------------------------


def bounded_rate(work: Callable[[int], object], seconds: float, limit: int = 1_000_000) -> float:
    """Calls per second of ``work(n)`` for about ``seconds`` (at most ``limit`` calls)."""
    started = time.perf_counter()
    deadline = started + seconds
    n = 0
    while n < limit:
        work(n)
        n += 1
        if n % 8 == 0 and time.perf_counter() >= deadline:
            break
    return n / (time.perf_counter() - started)


def in_process(container: Container, ids: list[uuid.UUID], options: Options) -> dict[str, float]:
    """The same work without HTTP or GraphQL, one thread, medians over rounds."""
    ledger = container.ledger
    read_models = read_side_for(container).read_models
    everything = AppealFilter()
    searched = AppealFilter(text="фонари не горят")
    tag = uuid.uuid4().hex[:8]
    shuffled = random.Random(7).sample(ids, len(ids))

    def pick(n: int) -> uuid.UUID:
        return shuffled[n % len(shuffled)]

    work: dict[str, Callable[[int], object]] = {
        "read model get_appeal/s": lambda n: read_models.get_appeal(pick(n)),
        # As the API's page query: it does not select totalCount, so nothing is counted.
        "read model list_appeals(first=50)/s": lambda n: read_models.list_appeals(
            everything, AppealOrder.RECEIVED_AT_DESC, 50, count=False
        ),
        "read model list_appeals(first=20)/s": lambda n: read_models.list_appeals(
            everything, AppealOrder.RECEIVED_AT_DESC, 20, count=False
        ),
        "read model list_appeals(first=20, text)/s": lambda n: read_models.list_appeals(
            searched, AppealOrder.RECEIVED_AT_DESC, 20, count=False
        ),
        "ledger.get_appeal (from events)/s": lambda n: ledger.get_appeal(pick(n)),
        "ledger.receive_appeal/s": lambda n: ledger.receive_appeal(
            channel="email",
            external_id=f"inproc-{tag}-{n}",
            text=TEXT,
            body=BODY,
            actor=OPERATOR,
        ),
    }
    rates: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(options.rounds):
        for name, one in work.items():
            rates[name].append(bounded_rate(one, options.inproc_seconds))
    return {name: median(values) for name, values in rates.items()}


def raw_driver(url: str, ids: list[uuid.UUID], options: Options) -> dict[str, float]:
    """psycopg alone, one connection: the read model's statements, and a one-row append."""
    by_id = f"SELECT * FROM {TABLE} WHERE id = %s"
    page = f"SELECT * FROM {TABLE} ORDER BY received_at DESC, id DESC LIMIT 51"
    count = f"SELECT count(*) FROM {TABLE}"
    insert = "INSERT INTO bench_raw_events (originator_id, originator_version, topic, state)"
    insert += " VALUES (%s, 1, 'bench', %s)"
    state = TEXT.encode() * 8
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_raw_events (notification_id bigserial UNIQUE, originator_id uuid,"
            " originator_version integer, topic text, state bytea,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        work: dict[str, Callable[[int], object]] = {
            "raw driver SELECT row by id/s": lambda n: conn.execute(
                by_id, (ids[n % len(ids)],), prepare=True
            ).fetchall(),
            "raw driver SELECT page of 51 rows/s": lambda n: conn.execute(
                page, prepare=True
            ).fetchall(),
            "raw driver SELECT count(*)/s": lambda n: conn.execute(count, prepare=True).fetchone(),
            "raw driver INSERT one event + COMMIT/s": lambda n: conn.execute(
                insert, (uuid.uuid4(), state), prepare=True
            ),
        }
        rates = {
            name: median([bounded_rate(one, options.inproc_seconds) for _ in range(options.rounds)])
            for name, one in work.items()
        }
        conn.execute("DROP TABLE bench_raw_events")
    return rates


# --- the run --------------------------------------------------------------------------------


def load_data(container: Container, appeals: int) -> tuple[int, float]:
    """Demo appeals, then every view caught up; returns (events, seconds)."""
    started = time.perf_counter()
    load_demo(container, appeals, seed=1, until=None, quiet=True)
    read_side = read_side_for(container)
    read_side.runner.setup()
    read_side.runner.catch_up()
    # The server's audit keeper would otherwise spend the measurement logging 1M events.
    AuditService(container).catch_up()
    events = int(container.ledger.recorder.max_notification_id() or 0)
    return events, time.perf_counter() - started


def sample_ids(url: str, count: int = 5000) -> list[uuid.UUID]:
    """Random appeal ids from the view (a fixed seed keeps runs comparable)."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT setseed(0.42)")
        rows = conn.execute(f"SELECT id FROM {TABLE} ORDER BY random() LIMIT %s", (count,))
        return [row[0] if isinstance(row[0], uuid.UUID) else uuid.UUID(str(row[0])) for row in rows]


def measure(options: Options, log: Callable[[str], None]) -> dict[str, dict[str, object]]:
    """Everything, on one fresh database; one table per request kind."""
    token = Authenticator(SECRET).issue(
        subject="bench", role=Role.SUPERVISOR, ttl=timedelta(hours=6)
    )
    with contextlib.ExitStack() as stack:
        url = options.store or stack.enter_context(postgres_database())
        tmp = stack.enter_context(TemporaryDirectory(prefix="appeals-bench-api-"))
        container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
        try:
            if options.store is None:
                log(f"loading {options.appeals:,} demo appeals and catching the views up ...")
                events, loading = load_data(container, options.appeals)
                log(f"{events:,} events in {loading:.0f}s")
            else:
                events = int(container.ledger.recorder.max_notification_id() or 0)
                log(f"an existing store of {events:,} events (its views caught up)")
            ids = sample_ids(url)
            log("in-process and raw-driver rates ...")
            inproc = in_process(container, ids, options)
            raw = raw_driver(url, ids, options)
        finally:
            container.close()
        served: dict[int, dict[str, Measured]] = {}
        for workers in options.workers:
            log(f"appeals serve --workers {workers}: load at {options.concurrency} connections ...")
            with serving(url, workers, Path(tmp)) as server:
                served[workers] = measure_server(server, token, ids, options, f"w{workers}")
    return tables(events, options, served, inproc, raw)


def tables(
    events: int,
    options: Options,
    served: dict[int, dict[str, Measured]],
    inproc: dict[str, float],
    raw: dict[str, float],
) -> dict[str, dict[str, object]]:
    """The report: per request kind, each server configuration, then the in-process rates."""
    beside = {
        "appeal(id)": ["read model get_appeal/s", "ledger.get_appeal (from events)/s"],
        "appeals(first: 50)": ["read model list_appeals(first=50)/s"],
        "appeals(first: 20)": ["read model list_appeals(first=20)/s"],
        "appeals(first: 20, text)": ["read model list_appeals(first=20, text)/s"],
        "appeals(first: 50), uncached": ["read model list_appeals(first=50)/s"],
        "appeals(first: 20), uncached": ["read model list_appeals(first=20)/s"],
        "appeals(first: 20, text), uncached": ["read model list_appeals(first=20, text)/s"],
        "receiveAppeal": ["ledger.receive_appeal/s"],
    }
    raw_beside = {
        "appeal(id)": ["raw driver SELECT row by id/s"],
        "appeals(first: 50)": [
            "raw driver SELECT page of 51 rows/s",
            "raw driver SELECT count(*)/s",
        ],
        "appeals(first: 20)": [],
        "appeals(first: 20, text)": [],
        "appeals(first: 50), uncached": ["raw driver SELECT page of 51 rows/s"],
        "appeals(first: 20), uncached": [],
        "appeals(first: 20, text), uncached": [],
        "receiveAppeal": ["raw driver INSERT one event + COMMIT/s"],
    }
    out: dict[str, dict[str, object]] = {}
    for name in beside:
        figures: dict[str, object] = {
            "events in the store": f"{events:,}",
            "connections; rounds x seconds": (
                f"{options.concurrency}; {options.rounds} x {options.seconds:g}s"
                f" after {options.warmup:g}s warm-up"
            ),
        }
        if name in TARGETS:
            figures["target"] = TARGETS[name]
        for workers, results in served.items():
            m = results[name]
            w = f"workers={workers}"
            figures[f"{w}: req/s (median)"] = m.rps
            figures[f"{w}: p50 ms"] = m.p50_ms
            figures[f"{w}: p99 ms"] = m.p99_ms
            figures[f"{w}: errors / good answers"] = f"{m.errors} / {m.requests}"
            figures[f"{w}: cores: generator / server / postgres / other"] = (
                f"{m.cpu.generator:.2f} / {m.cpu.server:.2f} / {m.cpu.postgres:.2f}"
                f" / {m.cpu.other:.2f}"
            )
            figures[f"{w}: generator CPU per request, us"] = m.generator_us_per_request
            if m.first_error:
                figures[f"{w}: first error"] = m.first_error[:160]
        for key in beside[name]:
            figures[f"in process, one thread: {key}"] = inproc[key]
        for key in raw_beside[name]:
            figures[f"{key}, one connection"] = raw[key]
        out[f"API on PostgreSQL: {name}"] = figures
    return out


def run(report: Report, *, options: Options | None = None) -> None:
    """``make bench`` entry point."""

    def log(message: str) -> None:
        print(f"  bench.api: {message}", file=sys.stderr, flush=True)

    for name, figures in measure(options or Options(), log).items():
        report(name, figures)


def _json_safe(results: dict[str, dict[str, object]]) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False, default=str)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--appeals", type=int, default=Options.appeals)
    parser.add_argument("--seconds", type=float, default=Options.seconds, help="per round")
    parser.add_argument("--rounds", type=int, default=Options.rounds)
    parser.add_argument("--warmup", type=float, default=Options.warmup)
    parser.add_argument("--concurrency", type=int, default=Options.concurrency)
    parser.add_argument("--workers", type=int, nargs="+", default=list(Options.workers))
    parser.add_argument(
        "--store", default=None, help="a loaded PostgreSQL URL to measure instead of a fresh one"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    chosen = Options(
        appeals=args.appeals,
        seconds=args.seconds,
        rounds=args.rounds,
        warmup=args.warmup,
        concurrency=args.concurrency,
        workers=tuple(args.workers),
        store=args.store,
    )
    results: dict[str, dict[str, object]] = {}
    run(results.__setitem__, options=chosen)
    print_report(results)
    if args.json is not None:
        args.json.write_text(_json_safe(results))
