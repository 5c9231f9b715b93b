"""The shape every long-lived helper thread of an API process shares: start, stop, alive.

The leadership contender, the audit keeper, the event feed and the views listener each loop
in a daemon thread until asked to stop; only what they do in the loop differs.
"""

from __future__ import annotations

import threading


class DaemonThread:
    """Runs ``_run`` in a daemon thread; ``_run`` loops until ``self._stop`` is set."""

    thread_name = "daemon"
    stop_timeout = 10.0
    """Seconds ``stop()`` waits for the loop to finish its current step."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin in the background."""
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the loop to finish and wait for it, at most ``stop_timeout`` seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.stop_timeout)

    def is_alive(self) -> bool:
        """Whether the thread still runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        raise NotImplementedError
