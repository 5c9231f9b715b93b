"""Append 4-event appeal histories, one transaction each, beside the raw driver.

Ours: build the appeal through the domain (receive, register, assign, answer), encode it
and save it atomically with optimistic concurrency. Raw: the driver inserts the very same
encoded rows into a table of the same shape, one transaction per appeal.
"""

from __future__ import annotations

import argparse
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from api.container import Container, build
from api.settings import Settings
from bench.harness import Report, median, postgres_database, print_report, rate, sqlite_file
from ledger.domain import Appeal
from ledger.values import Actor, Role

OPERATOR = Actor("bench-operator", Role.OPERATOR)
BASE = datetime(2026, 1, 12, 9, tzinfo=UTC)


def history(container: Container, n: int, tag: str) -> Appeal:
    """One 4-event appeal history built through the domain rules."""
    ledger = container.ledger
    appeal = ledger.new_appeal(
        channel="email", external_id=f"{tag}-{n}", text="Не горят фонари на улице Мира",
        body="Администрация города", at=BASE,
    )  # fmt: skip
    appeal.register(number=f"ОГ-{n}", actor=OPERATOR, at=BASE + timedelta(hours=1))
    appeal.assign(department="Свет", assignee="ivanova", actor=OPERATOR,
                  at=BASE + timedelta(hours=2))  # fmt: skip
    appeal.answer(text="Фонари починили", final=True, public=False, actor=OPERATOR,
                  at=BASE + timedelta(days=2))  # fmt: skip
    return appeal


def ours_end_to_end(container: Container, count: int, tag: str) -> float:
    """Domain commands, encoding and the atomic save, per appeal."""

    def work() -> None:
        for n in range(count):
            container.ledger.save(history(container, n, tag))

    return rate(count, work)


def ours_save(container: Container, count: int, tag: str) -> float:
    """The ledger's save (encode, optimistic concurrency, insert, notify) of decided events."""
    appeals = [history(container, n, tag) for n in range(count)]

    def work() -> None:
        for appeal in appeals:
            container.ledger.save(appeal)

    return rate(count, work)


def rows(container: Container, count: int, tag: str) -> list[list[tuple[Any, ...]]]:
    """The stored rows our ledger would write, for the raw driver to insert."""
    out: list[list[tuple[Any, ...]]] = []
    for n in range(count):
        appeal = history(container, n, tag)
        stored = [container.ledger.mapper.to_stored_event(e) for e in appeal.collect_events()]
        out.append([(s.originator_id, s.originator_version, s.topic, s.state) for s in stored])
    return out


def raw_sqlite(path: str, batches: list[list[tuple[object, ...]]]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS raw_events (originator_id TEXT, originator_version INTEGER,"
        " topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )

    def work() -> None:
        for batch in batches:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO raw_events VALUES (?,?,?,?)",
                [(str(o.hex), v, t, s) for o, v, t, s in batch],  # type: ignore[attr-defined]
            )
            conn.execute("COMMIT")

    try:
        return rate(len(batches), work)
    finally:
        conn.close()


def raw_postgres(url: str, batches: list[list[tuple[object, ...]]]) -> float:
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_events (notification_id bigserial, originator_id uuid,"
            " originator_version integer, topic text, state bytea,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS raw_nid ON raw_events (notification_id)")
        conn.commit()

        def work() -> None:
            with conn.cursor() as cursor:
                for batch in batches:
                    with conn.transaction():
                        cursor.executemany(
                            "INSERT INTO raw_events (originator_id, originator_version, topic,"
                            " state) VALUES (%s, %s, %s, %s)",
                            batch,
                        )

        return rate(len(batches), work)


def measure(url: str, raw: str, kind: str, count: int, rounds: int) -> dict[str, object]:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    end_to_end, saves, raws = [], [], []
    for r in range(rounds):
        end_to_end.append(ours_end_to_end(container, count, f"e2e-{r}"))
        saves.append(ours_save(container, count, f"save-{r}"))
        batches = rows(container, count, f"raw-{r}")
        raws.append(raw_sqlite(raw, batches) if kind == "sqlite" else raw_postgres(raw, batches))
    container.close()
    raw_median = median(raws)
    return {
        "appeals per round": count,
        "rounds": rounds,
        "raw driver, histories/s (median)": raw_median,
        "ours, save of decided events, histories/s": median(saves),
        "ratio save/raw": median(saves) / raw_median,
        "ours, domain commands + save, histories/s": median(end_to_end),
        "ratio end-to-end/raw": median(end_to_end) / raw_median,
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
