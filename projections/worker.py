"""Runs a ``Runner`` until stopped: in a thread inside the API, or as its own process.

On PostgreSQL the worker LISTENs on the channel the ledger's recorder NOTIFYs on every
insert, so it wakes as soon as events commit; it also pulls every ``idle`` seconds in case
a notification was missed. On SQLite, which cannot notify, it pulls every ``poll`` seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

from projections.runner import Runner

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
Waiter = Callable[[float], None]
"""Blocks until new events may exist or the timeout passes."""


class Worker:
    """A runner loop in a daemon thread, with ``start()`` and ``stop()``."""

    def __init__(
        self,
        runner: Runner,
        listen: Callable[[], AbstractContextManager[Waiter]] | None = None,
        *,
        poll: float = 0.02,
        idle: float = 1.0,
    ) -> None:
        self.runner = runner
        self.listen = listen or _sleeping
        self.poll = poll if listen is None else idle
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start following the log in a background thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="projections", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to finish its batch and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def stopping(self) -> bool:
        """Whether ``stop()`` was called."""
        return self._stop.is_set()

    def is_alive(self) -> bool:
        """Whether the background thread still runs."""
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """Follow the log until stopped (blocks; ``start()`` runs it in a thread).

        A failed step (a dropped connection, a lock timeout) is logged and retried after
        ``RETRY_SECONDS``: the views roll back with their tracking rows, so nothing is lost,
        and a worker that stopped for good would leave every view behind.
        """
        while not self._stop.is_set():
            try:
                self._follow()
            except Exception:
                log.exception("projection step failed; retrying in %s s", RETRY_SECONDS)
                self._stop.wait(RETRY_SECONDS)

    def _follow(self) -> None:
        self.runner.setup()
        # A live follower should not pay for building the calendar on its first event.
        self.runner.folder.warm_up(datetime.now(UTC).date())
        with self.listen() as wait:
            while not self._stop.is_set():
                while not self._stop.is_set() and self.runner.step():
                    pass
                wait(self.poll)


@contextmanager
def _sleeping() -> Iterator[Waiter]:
    pause = threading.Event()

    def wait(timeout: float) -> None:
        pause.wait(timeout)

    yield wait
