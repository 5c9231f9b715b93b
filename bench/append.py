"""Append 4-event appeal histories, one transaction each, beside the raw driver.

Ours: build the appeal through the domain (receive, register, assign, answer), encode it
and save it atomically with optimistic concurrency. Raw: the driver inserts the very same
encoded rows into a table of the same shape, one transaction per appeal. The contenders
run in alternating slices of 100 histories, so noise on this shared machine hits all alike.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from api.bootstrap import build
from api.container import Container
from api.settings import Settings
from bench.harness import Report, median, postgres_database, print_report, sqlite_file
from ledger.domain import Appeal
from ledger.values import Actor, Role

OPERATOR = Actor("bench-operator", Role.OPERATOR)
BASE = datetime(2026, 1, 12, 9, tzinfo=UTC)
SLICE = 100
Rows = list[tuple[Any, ...]]
Insert = Callable[[list[Rows]], None]


def history(container: Container, n: int, tag: str) -> Appeal:
    """One 4-event appeal history built through the domain rules."""
    ledger = container.ledger
    appeal = ledger.new_appeal(
        channel="email",
        external_id=f"{tag}-{n}",
        text="Не горят фонари на улице Мира",
        body="Администрация города",
        at=BASE,
    )
    appeal.register(number=f"ОГ-{n}", actor=OPERATOR, at=BASE + timedelta(hours=1))
    appeal.assign(
        department="Свет", assignee="ivanova", actor=OPERATOR, at=BASE + timedelta(hours=2)
    )
    appeal.answer(
        text="Фонари починили",
        final=True,
        public=False,
        actor=OPERATOR,
        at=BASE + timedelta(days=2),
    )
    return appeal


def rows(container: Container, count: int, tag: str) -> list[Rows]:
    """The stored rows our ledger would write, for the raw driver to insert."""
    out: list[Rows] = []
    for n in range(count):
        appeal = history(container, n, tag)
        stored = [container.ledger.mapper.to_stored_event(e) for e in appeal.collect_events()]
        out.append([(s.originator_id, s.originator_version, s.topic, s.state) for s in stored])
    return out


@contextmanager
def raw_sqlite(path: str) -> Iterator[Insert]:
    """The sqlite3 driver inserting one history per transaction into a same-shaped table."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS raw_events (originator_id TEXT, originator_version INTEGER,"
        " topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )

    def insert(batches: list[Rows]) -> None:
        for batch in batches:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO raw_events VALUES (?,?,?,?)",
                [(o.hex, v, t, s) for o, v, t, s in batch],
            )
            conn.execute("COMMIT")

    try:
        yield insert
    finally:
        conn.close()


@contextmanager
def raw_postgres(url: str) -> Iterator[Insert]:
    """psycopg inserting one history per transaction into a same-shaped table."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_events (notification_id bigserial, originator_id uuid,"
            " originator_version integer, topic text, state bytea,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS raw_nid ON raw_events (notification_id)")
        conn.commit()

        def insert(batches: list[Rows]) -> None:
            with conn.cursor() as cursor:
                for batch in batches:
                    with conn.transaction():
                        cursor.executemany(
                            "INSERT INTO raw_events (originator_id, originator_version, topic,"
                            " state) VALUES (%s, %s, %s, %s)",
                            batch,
                        )

        yield insert


def interleaved(work: dict[str, Callable[[int, int], object]], count: int) -> dict[str, float]:
    """Rates (items/s) of several ways of doing the same work, run in alternating slices.

    The machine is noisy: a burst of load that hits one contender for a whole round skews
    the ratio. In slices of ``SLICE`` items, each contender meets the same weather.
    """
    spent = dict.fromkeys(work, 0.0)
    for start in range(0, count, SLICE):
        stop = min(count, start + SLICE)
        for name, do in work.items():
            began = time.perf_counter()
            do(start, stop)
            spent[name] += time.perf_counter() - began
    return {name: count / seconds for name, seconds in spent.items()}


def one_round(container: Container, insert: Insert, count: int, tag: str) -> dict[str, float]:
    """Rates of the three contenders over ``count`` histories each, interleaved."""
    ledger = container.ledger
    decided = [history(container, n, f"save-{tag}") for n in range(count)]
    batches = rows(container, count, f"raw-{tag}")

    def end_to_end(start: int, stop: int) -> None:
        for n in range(start, stop):
            ledger.save(history(container, n, f"e2e-{tag}"))

    def save(start: int, stop: int) -> None:
        for appeal in decided[start:stop]:
            ledger.save(appeal)

    def raw(start: int, stop: int) -> None:
        insert(batches[start:stop])

    return interleaved({"raw": raw, "save": save, "end_to_end": end_to_end}, count)


def measure(url: str, raw: str, kind: str, count: int, rounds: int) -> dict[str, object]:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    with raw_sqlite(raw) if kind == "sqlite" else raw_postgres(raw) as insert:
        runs = [one_round(container, insert, count, str(r)) for r in range(rounds)]
    container.close()

    def of(name: str) -> float:
        return median([run[name] for run in runs])

    def ratio(name: str) -> float:
        return median([run[name] / run["raw"] for run in runs])

    return {
        "appeals per round": count,
        "rounds (slices interleaved)": f"{rounds} ({SLICE} histories per slice)",
        "raw driver, histories/s (median)": of("raw"),
        "ours, save of decided events, histories/s": of("save"),
        "ratio save/raw (median of rounds)": ratio("save"),
        "ours, domain commands + save, histories/s": of("end_to_end"),
        "ratio end-to-end/raw (median of rounds)": ratio("end_to_end"),
    }


def run(report: Report, *, count: int = 1000, rounds: int = 5) -> None:
    """Both stores, each beside its raw driver, in this one run."""
    with sqlite_file() as path:
        report("append, SQLite", measure(f"sqlite:///{path}", str(path), "sqlite", count, rounds))
    with postgres_database() as url:
        report("append, PostgreSQL", measure(url, url, "postgres", count, rounds))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appeals", type=int, default=1000, help="appeals per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    run(results.__setitem__, count=args.appeals, rounds=args.rounds)
    print_report(results)
