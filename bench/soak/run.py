"""One soak run: a store, the served API, clients, faults on a schedule, then the checks."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from api.http.auth import Authenticator
from api.settings import Settings
from bench.soak.checks import Findings, check_rebuild_and_verify, check_writes, cli
from bench.soak.cluster import Cluster, free_port
from bench.soak.faults import POSTGRES_FAULTS, SQLITE_FAULTS, Injected, Injector, schedule
from bench.soak.load import Client, Subscriber, Tally, Write
from bench.soak.measures import (
    WRITES,
    FaultFigures,
    OperationFigures,
    error_codes,
    faults,
    operations,
    unexpected_errors,
)
from bench.soak.memory import SETTLE, MemoryFigures, MemoryWatch
from bench.soak.server import Server
from ledger.values import Role

SECRET = "soak-" + "s" * 40
WARM_UP = 5.0
QUIET_END = 15.0
"""Seconds at the end without faults, so that what was retrying gets through."""
AFTER_LAST = 5.0
"""Seconds of load at least after service returned from the last fault."""
SERVICE_WAIT = 90.0


def _await_service(tally: Tally, since: float) -> float:
    """When a write started at ``since`` or later was first acknowledged (waits for one)."""
    deadline = time.monotonic() + SERVICE_WAIT
    while time.monotonic() < deadline:
        with tally.lock:
            done = [
                o.ended
                for o in tally.outcomes[-500:]
                if o.ok and o.op in WRITES and o.started >= since
            ]
        if done:
            return min(done)
        time.sleep(0.1)
    return time.monotonic()


@dataclass(frozen=True)
class SoakConfig:
    """How long, on which store, with how many clients."""

    seconds: float = 600.0
    store: str = "postgresql"
    clients: int = 4
    workers: int = 2
    keep: bool = False


@dataclass
class SoakReport:
    """Everything the table shows."""

    config: SoakConfig
    findings: Findings = field(default_factory=Findings)
    faults: list[FaultFigures] = field(default_factory=list)
    operations: list[OperationFigures] = field(default_factory=list)
    codes: dict[tuple[str, str, bool], int] = field(default_factory=dict)
    unexpected_errors: int = 0
    missing_reads: int = 0
    stale_reads: int = 0
    subscription_events: int = 0
    subscription_closes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timeline: list[str] = field(default_factory=list)
    memory: MemoryFigures = field(default_factory=MemoryFigures)
    memory_settle: float = 0.0
    folder: str = ""

    @property
    def lost(self) -> int:
        return len(self.findings.lost_in_log) + len(self.findings.lost_in_views)

    @property
    def passed(self) -> bool:
        return (
            self.lost == 0
            and not self.findings.duplicates
            and not self.missing_reads
            and not self.findings.views_differing
            and self.findings.verify_ok
            and self.unexpected_errors == 0
        )


def run_soak(config: SoakConfig) -> SoakReport:
    """Run the soak and its checks; the folder is removed unless kept or the run failed."""
    folder = Path(tempfile.mkdtemp(prefix="appeals-soak-"))
    folder.chmod(0o711)  # the PostgreSQL server (maybe another user) must reach its data
    report = SoakReport(config, folder=str(folder))
    cluster = Cluster(folder / "pg") if config.store == "postgresql" else None
    try:
        if cluster is not None:
            cluster.init()
            url = cluster.create_database("appeals")
        else:
            url = f"sqlite:///{folder / 'appeals.db'}"
        env = {
            "APPEALS_DATABASE_URL": url,
            "APPEALS_JWT_SECRET": SECRET,
            "APPEALS_RATE_LIMIT_PER_MINUTE": "0",
            "APPEALS_KEYS_DIR": str(folder / "keys"),
            "APPEALS_CHECKPOINT_INTERVAL": "10",
        }
        made = cli(env, "keys", "generate")
        assert made.returncode == 0, made.stderr
        writes = _drive(config, report, env, cluster, folder)
        settings = Settings.from_environ(env)
        check_writes(settings, writes, report.findings)
        check_rebuild_and_verify(settings, report.findings)
    finally:
        keep = config.keep or not report.passed
        if cluster is not None:
            cluster.stop_quietly()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return report


def _drive(
    config: SoakConfig,
    report: SoakReport,
    env: dict[str, str],
    cluster: Cluster | None,
    folder: Path,
) -> list[Write]:
    """Serve, load, inject the faults, stop; the writes the clients attempted."""
    workers = config.workers if cluster is not None else 1
    server = Server({**os.environ, **env}, free_port(), workers, folder / "server.log")
    server.start()
    token = Authenticator(SECRET).issue(subject="soak", role=Role.SUPERVISOR, ttl=timedelta(days=1))
    tally, stop = Tally(), threading.Event()
    threads: list[threading.Thread] = [
        Client(server.url, token, tally, stop, seed) for seed in range(config.clients)
    ]
    threads.append(Subscriber(server.url, token, tally, stop))
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    memory = MemoryWatch(server, stop)
    memory.start()
    time.sleep(WARM_UP)
    kinds = POSTGRES_FAULTS if cluster is not None else SQLITE_FAULTS
    plan = schedule(kinds, begun + WARM_UP, begun + config.seconds - QUIET_END)
    injector = Injector(server, cluster, "appeals")
    injected: list[Injected] = []
    for at, kind in plan:
        time.sleep(max(0.0, at - time.monotonic()))
        if injected:  # one fault at a time: each outage is measured on its own
            _await_service(tally, injected[-1].reference)
        injected.append(injector.inject(kind))
    recovered = _await_service(tally, injected[-1].reference) if injected else begun
    time.sleep(max(0.0, max(begun + config.seconds, recovered + AFTER_LAST) - time.monotonic()))
    memory.sample()
    end = time.monotonic()
    stop.set()
    # A short run is judged from its middle: it never reaches the settled size.
    report.memory_settle = WARM_UP + min(SETTLE, (end - begun - WARM_UP) / 2)
    report.memory = memory.figures(begun + report.memory_settle)
    memory.write(folder / "memory.tsv", begun)
    for thread in threads:
        thread.join(60)
    server.stop()
    outcomes = list(tally.outcomes)
    report.seconds = end - begun
    report.faults = faults(injected, outcomes, end)
    report.timeline = [
        f"t+{fault.at - begun:6.1f} s  {fault.kind} (service could return from "
        f"t+{fault.reference - begun:.1f} s)"
        for fault in injected
    ]
    report.operations = operations(outcomes, end - begun)
    codes = error_codes(outcomes)
    report.codes, report.unexpected_errors = dict(codes), unexpected_errors(codes)
    report.missing_reads, report.stale_reads = tally.missing_reads, tally.stale_reads
    report.subscription_events = tally.subscription_events
    report.subscription_closes = dict(tally.subscription_closes)
    return list(tally.writes)
