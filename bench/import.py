"""``appeals import`` of a JSON Lines file beside the raw driver loading the same rows.

Figures, in one run, for SQLite and PostgreSQL:

- ours: events/s of the import (reading, external sort, replay through the application's
  command methods in ``APPEALS_IMPORT_WORKERS`` processes, batch writes), and with the audit
  log's catch-up that follows it; CPU counts the importing process and its workers, and
  is also given for the import alone (without the catch-up);
- raw: rows/s of the driver loading the very rows the import stored into a table of the
  same shape: PostgreSQL ``COPY … FROM STDIN (FORMAT binary)``, SQLite ``executemany`` in
  one transaction;
- the ratio ours/raw (targets: 0.35 on PostgreSQL, 0.5 on SQLite);
- floor: rows/s of a loader that only parses each line and loads its row with the same
  driver call, checking no rule (``bench.import_floor``), and floor/raw: the most any
  import written in Python can reach on the same machine;
- peak RSS (MiB) of an import process given a quarter of the file and all of it (it must not
  grow with the file).

The file is the demo generator's appeals (a year of them) written as ``appeals export
--pii`` would write them.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import cast
from uuid import UUID

import orjson
import psycopg

from api.bootstrap import build
from api.runtime.importing import ImportOptions, run_import
from api.settings import Settings
from audit.service import AuditService
from bench.harness import Report, postgres_database, print_report, sqlite_file
from bench.import_floor import Row, floor_rows, load_postgres, load_sqlite
from demo.generator import DemoOptions, generate
from ledger.application import AppealsLedger
from ledger.domain import Appeal
from migration.export import Opener, event_line
from migration.record import AppealKey

UNTIL = datetime(2026, 1, 1, tzinfo=UTC)


def write_file(path: Path, appeals: int) -> int:
    """The demo's appeals as import lines; returns how many lines."""
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    opener = Opener(ledger.vault)
    lines = 0
    with path.open("wb") as out:
        options = DemoOptions(appeals=appeals, seed=9, until=UNTIL, days=365)
        for appeal in generate(ledger, options):
            key = AppealKey(appeal.channel.value, appeal.external_id)
            for event in appeal.collect_events():
                line = event_line(None, cast(Appeal.Event, event), key, opener)
                out.write(orjson.dumps(line) + b"\n")
                lines += 1
    return lines


def quarter(path: Path, lines: int, target: Path) -> None:
    """The first quarter of the file's lines (whole appeals but the last, which is refused)."""
    with path.open("rb") as source, target.open("wb") as out:
        for number, line in enumerate(source):
            if number >= lines // 4:
                break
            out.write(line)


def child(url: str, path: Path) -> None:
    """One import in a fresh process: events, seconds, CPU, peak RSS as one JSON line."""
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    started, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as stream:
        summary = run_import(
            container, stream, ImportOptions(), refused=lambda refusal: None, catch_up_audit=False
        )
    import_cpu = time.process_time() - cpu
    # What ``appeals import`` does next (``run_import``'s default), timed apart.
    AuditService(container).catch_up()
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    container.close()
    rss = peak_rss_mib()
    # The replay workers (APPEALS_IMPORT_WORKERS) have been joined: their CPU counts too.
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += workers.ru_utime + workers.ru_stime
    print(
        json.dumps(
            {
                "events": summary.events_written,
                "seconds": summary.seconds,
                "total": total,
                "cpu": cpu,
                "import_cpu": import_cpu,
                "rss_mib": rss,
                "worker_rss_mib": workers.ru_maxrss / 1024,
                "refused": summary.appeals_refused,
            }
        )
    )


def peak_rss_mib() -> float:
    """This process's peak RSS since it started its program.

    Not ``ru_maxrss``: Linux keeps that across ``execve``, so a child forked from a parent
    holding hundreds of MiB (the rows of the raw measurement) reports the parent's peak.
    ``VmHWM`` belongs to the new address space.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(url: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.import", "--child", url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def stored_rows(url: str, table: str) -> list[Row]:
    """The event rows the import stored, in log order."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            return conn.execute(
                "SELECT originator_id, originator_version, topic, state "
                f"FROM {table} ORDER BY rowid"
            ).fetchall()
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT originator_id, originator_version, topic, state "
            f"FROM {table} ORDER BY notification_id"
        ).fetchall()


def sqlite_ddl(url: str, table: str, name: str) -> str:
    """The events table's ``CREATE TABLE``, for a table called ``name``."""
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source:
        (ddl,) = source.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return str(ddl).replace(table, name, 1)


def raw_rate(url: str, table: str, folder: Path) -> float:
    """Rows/s of the raw driver loading the rows the import stored (read beforehand, and
    let go on return: they are not in the next child's inherited memory)."""
    rows = stored_rows(url, table)
    if url.startswith("sqlite"):
        return load_sqlite(folder / "raw.db", sqlite_ddl(url, table, "raw"), "raw", lambda: rows)
    return load_postgres(url, table, "raw", lambda: rows)


def measure(kind: str, path: Path, part: Path, folder: Path) -> dict[str, object]:
    with sqlite_file() if kind == "sqlite" else postgres_database() as where:
        url = f"sqlite:///{where}" if kind == "sqlite" else str(where)
        ours = in_child(url, path)
        container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
        table = container.events_table
        container.close()
        raw = raw_rate(url, table, folder)
        floor = (
            load_sqlite(
                folder / "floor.db",
                sqlite_ddl(url, table, "floor"),
                "floor",
                lambda: floor_rows(path, lambda appeal_id: appeal_id.replace("-", "")),
            )
            if kind == "sqlite"
            else load_postgres(url, table, "floor", lambda: floor_rows(path, UUID))
        )
    with sqlite_file() if kind == "sqlite" else postgres_database() as where:
        small = in_child(f"sqlite:///{where}" if kind == "sqlite" else str(where), part)
    rate = ours["events"] / ours["seconds"]
    return {
        "events imported": int(ours["events"]),
        "ours: import, events/s": rate,
        "ours: import + audit catch-up, events/s": ours["events"] / ours["total"],
        "ours: CPU seconds per 100k events (importer and workers)": ours["cpu"]
        / ours["events"]
        * 100_000,
        "ours: of which the import alone (importing process)": ours["import_cpu"]
        / ours["events"]
        * 100_000,
        "raw: "
        + ("executemany, one transaction" if kind == "sqlite" else "binary COPY")
        + ", rows/s": raw,
        "ratio ours/raw": rate / raw,
        "floor: parse each line and load its row, no rules, rows/s": floor,
        "ratio floor/raw (the most any Python import can reach)": floor / raw,
        "peak RSS, a quarter of the file (MiB)": small["rss_mib"],
        "peak RSS, all of the file (MiB)": ours["rss_mib"],
        "peak RSS of a replay worker, a quarter / all (MiB)": (
            f"{small['worker_rss_mib']:.0f} / {ours['worker_rss_mib']:.0f}"
        ),
        "ratio ours/raw, 3 decimals": f"{rate / raw:.3f}",
    }


def run(report: Report, *, appeals: int = 50_000) -> None:
    """Both stores, each beside its raw driver, on one generated file."""
    with TemporaryDirectory(prefix="appeals-import-bench-") as name:
        folder = Path(name)
        path, part = folder / "all.jsonl", folder / "quarter.jsonl"
        lines = write_file(path, appeals)
        quarter(path, lines, part)
        report(
            f"import, SQLite ({appeals:,} appeals, {lines:,} lines)",
            measure("sqlite", path, part, folder),
        )
        report(
            f"import, PostgreSQL ({appeals:,} appeals, {lines:,} lines)",
            measure("postgres", path, part, folder),
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appeals", type=int, default=50_000)
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
    else:
        results: dict[str, dict[str, object]] = {}
        run(results.__setitem__, appeals=args.appeals)
        print_report(results)
