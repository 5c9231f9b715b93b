"""Shared bench plumbing: fresh stores, medians and the result table."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
Report = Callable[[str, dict[str, object]], None]


@contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database URL."""
    name = f"appeals_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_file() -> Iterator[Path]:
    """A throwaway SQLite file path."""
    with TemporaryDirectory(prefix="appeals-bench-") as folder:
        yield Path(folder) / "bench.db"


def rate(count: int, work: Callable[[], object]) -> float:
    """Items per second for one run of ``work`` that handles ``count`` items."""
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def median(values: list[float]) -> float:
    """The median; the machine is noisy, so we never quote a single run."""
    return statistics.median(values)


def print_report(report: dict[str, dict[str, object]]) -> None:
    """One aligned table per bench."""
    for name, figures in report.items():
        print(f"\n== {name}")
        width = max(len(key) for key in figures)
        for key, value in figures.items():
            shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
            print(f"  {key:<{width}}  {shown}")
