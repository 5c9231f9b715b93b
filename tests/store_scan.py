"""Plain-SQL reads of a store: what a copy of the database shows, on either store."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg

EVENTS = "SELECT originator_id, originator_version, topic, state FROM {} ORDER BY 1, 2"


def every_row(database_url: str) -> list[tuple[object, ...]]:
    """Every row of every table of the store."""
    if database_url.startswith("sqlite"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return [tuple(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"')]
    with psycopg.connect(database_url) as pg:
        tables = [
            r[0] for r in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        return [tuple(row) for t in tables for row in pg.execute(f'SELECT * FROM "{t}"')]


def rows_of(database_url: str, statement: str) -> list[tuple[object, ...]]:
    """The rows one plain ``statement`` (no parameters) returns."""
    if database_url.startswith("sqlite"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as conn:
            return [tuple(row) for row in conn.execute(statement)]
    with psycopg.connect(database_url) as pg:
        return [tuple(row) for row in pg.execute(statement)]


def event_rows(database_url: str) -> list[tuple[object, ...]]:
    """The events table exactly as stored."""
    table = "stored_events" if database_url.startswith("sqlite") else "appeals_events"
    return rows_of(database_url, EVENTS.format(table))
