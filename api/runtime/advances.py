"""Every API process hears how far the views are: LISTEN on the channel the runner NOTIFYs.

The projection worker runs in one process (``api.runtime.leader``), but read-your-writes waiters sit
in all of them. Each batch the worker commits announces its position on PostgreSQL
(``Database.announce``); this thread hears it and hands it to the process's watcher, so a
waiter in any process wakes without querying the views.
"""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from api.runtime.daemon import DaemonThread


class ViewsListener(DaemonThread):
    """A daemon thread that calls ``advance(position)`` for every announced position."""

    thread_name = "views-listener"
    stop_timeout = 5.0

    def __init__(
        self, datastore: PostgresDatastore, channel: str, advance: Callable[[int], None]
    ) -> None:
        super().__init__()
        self.datastore = datastore
        self.channel = channel
        self.advance = advance

    def _run(self) -> None:
        # While this fails and DaemonThread retries, waiters poll the views (api.runtime.watcher).
        with self.datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {}").format(Identifier(self.channel)))
            self._healthy()
            try:
                while not self._stop.is_set():
                    for notice in conn.notifies(timeout=1.0):
                        self.advance(int(notice.payload))
                        if self._stop.is_set():
                            break
            finally:
                if not conn.broken:  # a dropped session listens no more anyway
                    conn.execute(SQL("UNLISTEN {}").format(Identifier(self.channel)))
