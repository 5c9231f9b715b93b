"""The store is away: a typed error, and which low-level failures mean that and nothing worse.

A database restarting, failing over, refusing connections or too slow to answer within its
statement timeout is a condition clients can wait out: the API answers it with code
``UNAVAILABLE`` (HTTP 503 and ``Retry-After``) instead of an internal error. Only failures
of the connection or of the server's availability count; a wrong statement stays a bug.
"""

from __future__ import annotations

import sqlite3

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

RETRY_AFTER = 2
"""Seconds a client is asked to wait before it tries again."""
# SQLite's own words for a store it cannot use right now (its other OperationalErrors,
# such as "no such table", are bugs, not outages).
SQLITE_AWAY = (
    "database is locked",
    "unable to open database file",
    "disk i/o error",
    "database table is locked",
    "attempt to write a readonly database",
)


class StoreUnavailableError(Exception):
    """No connection to the store could be had within the configured connect timeout."""

    def __init__(self, pool: str, waited: float) -> None:
        super().__init__(f"no connection from pool {pool!r} within {waited:.1f} s")
        self.pool = pool
        self.waited = waited


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error``, or an error it was raised ``from``, means the store is away."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StoreUnavailableError | psycopg.OperationalError):
            return True
        if isinstance(current, psycopg.InterfaceError):
            return "closed" in str(current)  # the connection went away under the query
        if isinstance(current, sqlite3.OperationalError):
            return str(current).lower().startswith(SQLITE_AWAY)
        if isinstance(current, OperationalError | InterfaceError) and current.__cause__ is None:
            return True  # eventsourcing's own, raised without a driver error behind it
        current = current.__cause__
    return False
