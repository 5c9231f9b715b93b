"""Wake-ups from PostgreSQL: LISTEN on the channel the ledger's recorder NOTIFYs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from projections.worker import Waiter


def pg_listener(datastore: PostgresDatastore, channel: str) -> ListenContext:
    """A factory of waiters that return when the recorder NOTIFYs ``channel``."""
    return ListenContext(datastore, channel)


class ListenContext:
    """Holds one pooled connection in LISTEN mode while the worker runs."""

    def __init__(self, datastore: PostgresDatastore, channel: str) -> None:
        self.datastore = datastore
        self.channel = channel

    @contextmanager
    def __call__(self) -> Iterator[Waiter]:
        with self.datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {}").format(Identifier(self.channel)))

            def wait(timeout: float) -> None:
                for _ in conn.notifies(timeout=timeout, stop_after=1):
                    pass

            try:
                yield wait
            finally:
                if not conn.broken:  # a dropped session listens no more anyway
                    conn.execute(SQL("UNLISTEN {}").format(Identifier(self.channel)))
