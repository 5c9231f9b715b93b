"""Runs a ``Runner`` until stopped: in a thread inside the API, or as its own process.

On PostgreSQL the worker LISTENs on the channel the ledger's recorder NOTIFYs on every
insert, so it wakes as soon as events commit; it also pulls every ``idle`` seconds in case
a notification was missed. On SQLite, which cannot notify, it pulls every ``poll`` seconds.

A failed step (a dropped connection, a lock timeout) is retried by ``DaemonThread`` after
its backoff: the views roll back with their tracking rows, so nothing is lost, and a worker
that stopped for good would leave every view behind.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from projections.daemon import DaemonThread
from projections.listener import Waiter, sleeping
from projections.runner import Runner


class Worker(DaemonThread):
    """A runner loop in a daemon thread, with ``start()`` and ``stop()``."""

    thread_name = "projections"
    stop_timeout = 10.0

    def __init__(
        self,
        runner: Runner,
        listen: Callable[[], AbstractContextManager[Waiter]] | None = None,
        *,
        poll: float = 0.02,
        idle: float = 1.0,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.listen = listen or sleeping
        self.poll = poll if listen is None else idle

    def _run(self) -> None:
        self.runner.setup()
        # A live follower should not pay for building the calendar on its first event.
        self.runner.folder.warm_up(datetime.now(UTC).date())
        with self.listen() as wait:
            self._healthy()
            while not self._stop.is_set():
                while not self._stop.is_set() and self.runner.step():
                    pass
                wait(self.poll)
