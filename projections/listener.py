"""Wake-ups: LISTEN on a PostgreSQL channel, or sleep where the store cannot notify.

Every follower of the store (the projection worker, the event feed, the views listener)
waits here: ``ListenContext`` holds one pooled connection in LISTEN mode and hands out a
``Listening`` that both waits for one notification and yields the payloads it hears;
``sleeping`` is the SQLite stand-in, which only waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection
from psycopg.sql import SQL, Identifier

Waiter = Callable[[float], None]
"""Blocks until something new may exist or the timeout passes."""


def pg_listener(datastore: PostgresDatastore, channel: str) -> ListenContext:
    """A factory of waiters that return when the recorder NOTIFYs ``channel``."""
    return ListenContext(datastore, channel)


class Listening:
    """A connection in LISTEN mode: wait for a notification, or read their payloads."""

    def __init__(self, conn: Connection[object]) -> None:
        self.conn = conn

    def __call__(self, timeout: float) -> None:
        """Return at the next notification, or after ``timeout`` seconds."""
        for _ in self.conn.notifies(timeout=timeout, stop_after=1):
            pass

    def payloads(self, timeout: float) -> Iterator[str]:
        """The payloads heard within ``timeout`` seconds, as they arrive."""
        for notice in self.conn.notifies(timeout=timeout):
            yield notice.payload


class ListenContext:
    """Holds one pooled connection in LISTEN mode while its user runs."""

    def __init__(self, datastore: PostgresDatastore, channel: str) -> None:
        self.datastore = datastore
        self.channel = channel

    @contextmanager
    def __call__(self) -> Iterator[Listening]:
        with self.datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {}").format(Identifier(self.channel)))
            try:
                yield Listening(conn)
            finally:
                if not conn.broken:  # a dropped session listens no more anyway
                    conn.execute(SQL("UNLISTEN {}").format(Identifier(self.channel)))


@contextmanager
def sleeping() -> Iterator[Waiter]:
    """A waiter that only sleeps (interrupted by nothing): for stores that cannot notify."""
    pause = threading.Event()

    def wait(timeout: float) -> None:
        pause.wait(timeout)

    yield wait
