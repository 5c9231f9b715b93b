"""``appeals verify`` over about a million PostgreSQL events, beside ``sha256sum``.

Ours: re-derive the whole audit log from the raw events table (read every row, hash every
stored state and leaf, rebuild the tree, compare leaves, nodes and the checkpoint). Raw: the
same state bytes dumped to one file and hashed by ``sha256sum``, the floor of any verifier
that hashes what is stored; and the raw transfer rate, a binary COPY of the columns verify
reads, bytes only. All in the same run, medians of a few rounds. The wall rates move with the
load of a shared machine; the process CPU seconds per million events are the steady figure.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

from api.bootstrap import build
from api.commands.demo import load_demo
from api.settings import Settings
from audit.keyfiles import generate_keys
from audit.service import AuditConfig, AuditService
from bench.harness import Report, median, postgres_database, print_report

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)


def dump_states(url: str, table: str, path: Path) -> int:
    """Write every stored state, in log order, to one file; returns the byte count."""
    written = 0
    with psycopg.connect(url) as conn, conn.cursor(name="dump", binary=True) as cursor:
        cursor.execute(f"SELECT state FROM {table} ORDER BY notification_id")
        with path.open("wb") as out:
            while rows := cursor.fetchmany(50_000):
                for (state,) in rows:
                    written += out.write(state)
    return written


def transfer_seconds(url: str, table: str) -> float:
    """Wall time of a binary COPY of the columns verify reads, in log order, bytes only."""
    statement = (
        f"COPY (SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {table} ORDER BY notification_id) TO STDOUT (FORMAT BINARY)"
    )
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cursor, cursor.copy(statement) as copy:
        while copy.read():
            pass
    return time.perf_counter() - started


def sha256sum_seconds(path: Path) -> float:
    """Wall time of ``sha256sum`` over the file."""
    started = time.perf_counter()
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
    return time.perf_counter() - started


def measure(url: str, appeals: int, rounds: int, folder: Path) -> dict[str, object]:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    try:
        started = time.perf_counter()
        load_demo(container, appeals, seed=1, until=UNTIL, quiet=True)
        loaded = time.perf_counter() - started
        generate_keys(folder / "keys")
        audit = AuditService(container, AuditConfig(keys_dir=folder / "keys"))
        started = time.perf_counter()
        events = audit.catch_up(batch_size=20_000)
        caught_up = time.perf_counter() - started
        audit.sign_checkpoint()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"VACUUM ANALYZE {container.events_table}")
        state_file = folder / "states.bin"
        size = dump_states(url, container.events_table, state_file)
        ours, cpu, raw, transfer = [], [], [], []
        for _ in range(rounds):  # interleaved, so that each round sees the same load
            started, used = time.perf_counter(), time.process_time()
            report = audit.verify()
            ours.append(events / (time.perf_counter() - started))
            cpu.append((time.process_time() - used) / events * 1e6)
            assert report.ok and report.events == events, report.first
            raw.append(events / sha256sum_seconds(state_file))
            transfer.append(events / transfer_seconds(url, container.events_table))
    finally:
        container.close()
    ours_median, raw_median = median(ours), median(raw)
    return {
        "events": events,
        "stored state bytes": size,
        "rounds": rounds,
        "demo load, s": loaded,
        "audit catch-up, events/s": events / caught_up,
        "ours: appeals verify, events/s (median)": ours_median,
        "ours: process CPU s per 1M events (median)": median(cpu),
        "raw: sha256sum of the state bytes, events/s (median)": raw_median,
        "raw: binary COPY transfer of the columns, events/s (median)": median(transfer),
        "ratio ours/raw": ours_median / raw_median,
        "target, events/s": 200_000,
    }


def run(report: Report, *, appeals: int = 200_000, rounds: int = 3) -> None:
    """About a million events (five per appeal on average) on PostgreSQL."""
    if shutil.which("sha256sum") is None:
        raise RuntimeError("bench.verify needs sha256sum (coreutils) on PATH")
    with postgres_database() as url, TemporaryDirectory(prefix="appeals-verify-") as folder:
        report("verify, PostgreSQL", measure(url, appeals, rounds, Path(folder)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--appeals",
        type=int,
        default=200_000,
        help="appeals to load (about 5 events each; default 200000)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    run(results.__setitem__, appeals=args.appeals, rounds=args.rounds)
    print_report(results)
