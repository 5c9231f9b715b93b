"""Waiting for the duty's open-data build to show the whole log (``opendata.publisher``)."""

from __future__ import annotations

import sqlite3

import psycopg

from tests.store_scan import rows_of
from tests.waiting import until


def published_position(database_url: str) -> int | None:
    """The statistics position the stored package was built at; None before the first build."""
    try:
        rows = rows_of(database_url, "SELECT position FROM opendata_package")
    except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):
        return None  # the table is not there yet
    return int(str(rows[0][0])) if rows else None


def log_head(database_url: str) -> int:
    """The event log's last position."""
    if database_url.startswith("sqlite"):
        statement = "SELECT max(rowid) FROM stored_events"
    else:
        statement = "SELECT max(notification_id) FROM appeals_events"
    return int(str(rows_of(database_url, statement)[0][0] or 0))


def wait_published(database_url: str, timeout: float = 120) -> None:
    """Return once the stored package was built from views that show every stored event."""

    def caught_up() -> bool:
        position = published_position(database_url)
        return position is not None and position >= log_head(database_url)

    until(caught_up, timeout=timeout, every=0.2)
