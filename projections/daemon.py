"""The one shape of every long-lived helper thread: start, stop, retry, health.

The projection worker, the leadership contender, the audit keeper, the event feed and the
views listener each loop in a daemon thread until asked to stop; only what they do in the
loop differs. It lives here, in the lowest layer that runs threads, so that the read side's
worker and the API's helpers share it. A failed
session (a dropped connection, a database that refuses new ones) is retried here, after a
backoff that doubles from ``RETRY_FIRST`` to ``RETRY_MOST`` seconds, for as long as it
takes: a helper that ended on the first error would leave its subscribers or waiters behind
until a restart. Meanwhile ``health()`` names the failure, for ``/readyz`` and ``/metrics``.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("appeals.daemon")
RETRY_FIRST = 0.1
RETRY_MOST = 1.0
"""Seconds: at most this long after the database is back before a helper tries again."""


class DaemonThread:
    """Runs ``_run`` in a daemon thread until ``self._stop`` is set, again after a failure.

    ``_run`` loops until ``self._stop`` is set and raises when its session fails; it calls
    ``_healthy()`` once its session works (connected, listening, a step done).
    """

    thread_name = "daemon"
    stop_timeout = 10.0
    """Seconds ``stop()`` waits for the loop to finish its current step."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure: str | None = None
        self._delay = RETRY_FIRST

    def start(self) -> None:
        """Begin in the background."""
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to finish and wait for it, at most ``timeout`` (``stop_timeout``) s."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.stop_timeout if timeout is None else timeout)

    def is_alive(self) -> bool:
        """Whether the thread still runs."""
        return self._thread is not None and self._thread.is_alive()

    def health(self) -> str | None:
        """None while the helper works; else why not (the failure's class, or "stopped")."""
        if self._thread is not None and not self._stop.is_set() and not self.is_alive():
            return "stopped"
        return self._failure

    def _healthy(self) -> None:
        """The session works: clear the failure and start the next backoff afresh."""
        if self._failure is not None:
            log.info("%s recovered", self.thread_name)
        self._failure = None
        self._delay = RETRY_FIRST

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._run()
            except Exception as error:
                # Logged once per outage with its traceback, then one line per attempt.
                first = self._failure is None
                self._failure = type(error).__name__
                log.log(
                    logging.ERROR if first else logging.WARNING,
                    "%s failed (%s); retrying in %.1f s",
                    self.thread_name,
                    _first_line(error),
                    self._delay,
                    exc_info=first,
                )
                self._stop.wait(self._delay)
                self._delay = min(self._delay * 2, RETRY_MOST)

    def _run(self) -> None:
        raise NotImplementedError


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
