"""One background thread that runs jobs in order, so a rebuild folds while the store writes.

A rebuild's writes block on the store (a ``COPY`` returns once the server has taken every
row), and those waits release the GIL. Handing each page's writes to this thread lets the
caller fold the next page meanwhile. At most ``depth`` jobs wait, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Job = Callable[[], None]


class Background:
    """A single worker thread; ``submit`` re-raises the first failure of an earlier job."""

    def __init__(self, depth: int) -> None:
        self._queued: queue.Queue[Job | None] = queue.Queue(maxsize=depth)
        self._failure: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="rebuild-writer", daemon=True)
        self._thread.start()

    @property
    def cancelled(self) -> bool:
        """Whether the jobs still queued will be skipped."""
        return self._cancelled

    def submit(self, job: Job) -> None:
        """Queue ``job``, waiting while ``depth`` jobs are queued."""
        self._raise()
        self._queued.put(job)

    def close(self, *, run_queued: bool) -> None:
        """Stop the thread after the queued jobs (or skipping them); re-raise a failure."""
        self._cancelled = not run_queued
        self._queued.put(None)
        self._thread.join()
        if run_queued:
            self._raise()

    def _run(self) -> None:
        while (job := self._queued.get()) is not None:
            if self._failure is None and not self._cancelled:
                try:
                    job()
                except BaseException as error:  # noqa: BLE001 - the submitter re-raises it
                    self._failure = error

    def _raise(self) -> None:
        if self._failure is not None:
            raise self._failure


@contextmanager
def background(depth: int = 2) -> Iterator[Background]:
    """A worker for the block: on exit it runs what is queued; if the block fails, it skips it."""
    worker = Background(depth)
    try:
        yield worker
    except BaseException:
        worker.close(run_queued=False)
        raise
    worker.close(run_queued=True)
