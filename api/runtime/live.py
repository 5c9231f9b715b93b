"""Live events for subscriptions: one follower per process fans new events out to subscribers.

Events written by any API process reach every process: on PostgreSQL the follower wakes on
the recorder's NOTIFY, on SQLite it polls. It starts at the log head, so subscribers see
events recorded after they subscribed; a new subscriber may also get the events of the last
``IDLE_REFRESH`` plus one poll (about a tenth of a second) before it subscribed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from typing import Any

from eventsourcing.persistence import Notification

from api.runtime.feed_scope import AppealScopes, ScopedEntry
from ledger.application import AppealsLedger, HistoryEntry
from projections.daemon import DaemonThread
from projections.listener import Waiter, sleeping

log = logging.getLogger("appeals.live")
QUEUE_LIMIT = 1000
IDLE_REFRESH = 0.05


class EventFeed(DaemonThread):
    """Follows the notification log in a thread and broadcasts to asyncio queues."""

    thread_name = "event-feed"
    stop_timeout = 5.0

    def __init__(
        self,
        ledger: AppealsLedger,
        listen: Callable[[], AbstractContextManager[Waiter]] | None = None,
        *,
        poll: float = 0.05,
    ) -> None:
        super().__init__()
        self.ledger = ledger
        self.listen = listen or sleeping
        self.poll = poll
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[ScopedEntry]]] = set()
        self.scopes = AppealScopes(ledger)
        self._lock = threading.Lock()
        self.position = 0
        self._refreshed = 0.0

    def start(self) -> None:
        """Begin following from the current head (subscribers outlive ``stop()``)."""
        self.position = self.ledger.recorder.max_notification_id() or 0
        super().start()

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[ScopedEntry]]:
        """A queue of new events, each with its appeal's scope after it, for one subscriber."""
        queue: asyncio.Queue[ScopedEntry] = asyncio.Queue(QUEUE_LIMIT)
        key = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.add(key)
        try:
            yield queue
        finally:
            with self._lock:
                self._subscribers.discard(key)

    def _run(self) -> None:
        # A failure (the LISTEN connection dropped, the log unreadable) ends this session;
        # DaemonThread listens again after a backoff, and the feed resumes from its position.
        with self.listen() as wait:
            while not self._stop.is_set():
                fresh = self._fetch()
                self._healthy()
                if fresh:
                    self._broadcast(fresh)
                else:
                    wait(self.poll)

    def _fetch(self) -> list[ScopedEntry]:
        recorder = self.ledger.recorder
        if not self._subscribers:
            # Nobody listens: follow the head with one integer instead of the events, at
            # most every IDLE_REFRESH seconds however fast events arrive. The head is read
            # before the check, so an event after a new subscription is kept.
            now = time.monotonic()
            if now - self._refreshed < IDLE_REFRESH:
                return []
            self._refreshed = now
            head = recorder.max_notification_id() or 0
            if not self._subscribers:
                self.position = max(self.position, head)
                return []
        notifications: list[Notification] = list(
            recorder.select_notifications(start=self.position, limit=500, inclusive_of_start=False)
        )
        if not notifications:
            return []
        mapper = self.ledger.mapper
        entries = self.scopes.scoped(
            HistoryEntry(n.id, mapper.to_domain_event(n))  # type: ignore[arg-type]
            for n in notifications
        )
        # Moved on only once every event has its scope: a failed read is retried, not lost.
        self.position = notifications[-1].id
        return entries

    def _broadcast(self, entries: list[ScopedEntry]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            for entry in entries:
                loop.call_soon_threadsafe(_offer, queue, entry)


def _offer(queue: asyncio.Queue[Any], item: Any) -> None:
    # A subscriber that stops reading loses events rather than stalling everyone.
    with contextlib.suppress(asyncio.QueueFull):
        queue.put_nowait(item)
