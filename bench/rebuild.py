"""Rebuild every view from 1M events on PostgreSQL beside a raw ``SELECT``, and live lag.

Figures, in one run:

- raw: rows/s of streaming the same event rows with a plain psycopg ``SELECT``;
- ours: events/s of ``Runner.rebuild()`` into all views (median of three), its process CPU
  seconds per million events (robust to a noisy machine), and the ratio ours/raw;
- peak RSS of a rebuild process at a quarter, a half and all of ~1.3M events (must not grow
  with N);
- commit-to-visible lag p50/p99 while appeals arrive at 200/s and a warmed-up worker follows
  the log.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import psycopg

from api.bootstrap import build, read_side
from api.commands.demo import load_demo
from api.container import Container
from api.settings import Settings
from bench.harness import Report, median, postgres_database, print_report

UNTIL = datetime(2026, 1, 1, tzinfo=UTC)


def _container(url: str) -> Container:
    return build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))


def raw_select_rate(url: str, table: str, *, binary: bool = False) -> tuple[int, float]:
    """Rows/s of streaming every event row with a server-side cursor."""
    started = time.perf_counter()
    count = 0
    with psycopg.connect(url) as conn, conn.cursor(name="raw", binary=binary) as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {table} ORDER BY notification_id"
        )
        for _ in cursor:
            count += 1
    return count, count / (time.perf_counter() - started)


def rebuild_in_child(url: str) -> dict[str, float]:
    """Rebuild in a fresh process, so its peak RSS is the rebuild's own."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.rebuild", "--child", url],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def child(url: str) -> None:
    """The rebuild itself: events, wall and CPU seconds, peak RSS (MiB), as one JSON line."""
    container = _container(url)
    side = read_side(container, batch_size=20_000)
    side.runner.setup()
    started, cpu = time.perf_counter(), time.process_time()
    events = side.runner.rebuild()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    container.close()
    print(json.dumps({"events": events, "seconds": seconds, "cpu": cpu, "rss_mib": rss}))


def lag(url: str, seconds: float = 10.0, per_second: int = 200) -> tuple[float, float, int]:
    """p50/p99 ms from a command's commit to its position being visible in every view."""
    container = _container(url)
    side = read_side(container)
    side.runner.setup()
    side.runner.catch_up()
    worker = side.worker()
    worker.start()
    # Steady state, not start-up: the first appeal pays for imports and the year's calendar.
    for n in range(20):
        warm = container.ledger.receive_appeal(
            channel="vk", external_id=f"warm-{n}", text="Яма на дороге", body="Администрация"
        )
        assert warm.position is not None
        side.read_models.wait_for(warm.position, timeout=10)
    pending: dict[int, float] = {}
    lags: list[float] = []
    done = threading.Event()
    lock = threading.Lock()

    def watch() -> None:
        while not done.is_set() or pending:
            seen = min(side.read_models.positions().values())
            now = time.perf_counter()
            with lock:
                for position in [p for p in pending if p <= seen]:
                    lags.append(now - pending.pop(position))
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    total = int(seconds * per_second)
    started = time.perf_counter()
    for n in range(total):
        recorded = container.ledger.receive_appeal(
            channel="vk", external_id=f"lag-{n}", text="Яма на дороге", body="Администрация"
        )
        assert recorded.position is not None
        with lock:
            pending[recorded.position] = time.perf_counter()
        time.sleep(max(0.0, started + (n + 1) / per_second - time.perf_counter()))
    done.set()
    watcher.join(30)
    worker.stop()
    container.close()
    ordered = sorted(lags)
    return (
        ordered[len(ordered) // 2] * 1000,
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        len(ordered),
    )


def run(report: Report, appeals: int = 250_000) -> None:
    """Load demo appeals in three steps, rebuild after each, then measure live lag.

    The first two steps (a quarter and a half of the appeals) give the peak RSS at smaller
    sizes, so the table shows whether it grows with the number of events.
    """
    with postgres_database() as url:
        container = _container(url)
        table = container.events_table
        smaller = []
        for step in (appeals // 4, appeals // 2):
            load_demo(container, step, seed=1, until=UNTIL, quiet=True)
            smaller.append(rebuild_in_child(url))
        load_demo(container, appeals, seed=1, until=UNTIL, quiet=True)
        container.close()
        rows, raw = raw_select_rate(url, table)
        _, raw_binary = raw_select_rate(url, table, binary=True)
        runs = [rebuild_in_child(url) for _ in range(3)]
        ours = median([r["events"] / r["seconds"] for r in runs])
        cpu = median([r["cpu"] / r["events"] * 1e6 for r in runs])
        p50, p99, samples = lag(url)
        report(
            "rebuild (PostgreSQL)",
            {
                "events": rows,
                "raw SELECT rows/s": raw,
                "raw binary SELECT rows/s": raw_binary,
                "rebuild events/s (all views, median of 3)": ours,
                "rebuild CPU s per 1M events (median of 3)": cpu,
                "ratio ours/raw": ours / raw,
                **{f"peak RSS MiB at {int(r['events']):,} events": r["rss_mib"] for r in smaller},
                f"peak RSS MiB at {rows:,} events (median of 3)": median(
                    [r["rss_mib"] for r in runs]
                ),
                "lag p50 ms at 200 appeals/s": p50,
                "lag p99 ms at 200 appeals/s": p99,
                "lag samples": samples,
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild")
    parser.add_argument("--appeals", type=int, default=250_000)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results: dict[str, dict[str, object]] = {}
    run(results.__setitem__, appeals=args.appeals)
    print_report(results)


if __name__ == "__main__":
    main()
