"""Every API process hears how far the views are: LISTEN on the channel the runner NOTIFYs.

The projection worker runs in one process (``api.leader``), but read-your-writes waiters sit
in all of them. Each batch the worker commits announces its position on PostgreSQL
(``Database.announce``); this thread hears it and hands it to the process's watcher, so a
waiter in any process wakes without querying the views.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from api.daemon import DaemonThread

log = logging.getLogger("appeals.advances")
RETRY_SECONDS = 1.0


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
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception:
                # Waiters fall back on polling meanwhile (api.watcher): nothing is lost.
                log.exception("listening for view positions failed; retrying")
                self._stop.wait(RETRY_SECONDS)

    def _listen(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {}").format(Identifier(self.channel)))
            try:
                while not self._stop.is_set():
                    for notice in conn.notifies(timeout=1.0):
                        self.advance(int(notice.payload))
                        if self._stop.is_set():
                            break
            finally:
                conn.execute(SQL("UNLISTEN {}").format(Identifier(self.channel)))
