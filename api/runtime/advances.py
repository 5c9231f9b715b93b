"""Every API process hears how far the views are: LISTEN on the channel the runner NOTIFYs.

The projection worker runs in one process (``api.runtime.leader``), but read-your-writes waiters sit
in all of them. Each batch the worker commits announces its position on PostgreSQL
(``Database.announce``); this thread hears it and hands it to the process's watcher, so a
waiter in any process wakes without querying the views.
"""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.postgres import PostgresDatastore

from projections.daemon import DaemonThread
from projections.listener import pg_listener


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
        with pg_listener(self.datastore, self.channel)() as listening:
            self._healthy()
            while not self._stop.is_set():
                for payload in listening.payloads(timeout=1.0):
                    self.advance(int(payload))
                    if self._stop.is_set():
                        break
