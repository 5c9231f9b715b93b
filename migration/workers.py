"""Replaying jobs in worker processes while this one reads the file and writes the store.

Replay is most of an import's CPU time and touches no store, so it runs in forked worker
processes: each inherits the live ledger's rules (norms, calendar, clock: not picklable,
and not needed to be, with ``fork``) and builds its own ``BatchReplay``. Jobs and outcomes
travel as plain data. Results come back in submission order, and at most ``workers + 1``
jobs are in flight, so memory stays bounded however large the file. The workers never use
the store connections they inherit: a job carries everything its replay may read.

With ``workers=1`` (or where ``fork`` is not available) jobs are replayed in this process.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

from migration.batch import BatchReplay, Job, Outcome

_REPLAY: list[BatchReplay] = []
"""The worker process's own replay, built once when it starts."""


def _start(make: Callable[[], BatchReplay]) -> None:
    # A fork inherits the parent's handlers (a server's drain on SIGTERM): a worker just
    # stops on SIGTERM, and leaves Ctrl-C to the parent, which ends the pool.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _REPLAY.append(make())


def _ready() -> None:
    """A job that does nothing: the pool's workers have started."""


def _run(job: Job) -> Outcome:
    return _REPLAY[0](job)


class Replayers:
    """Submit jobs, take their outcomes back in order (a context manager: it owns the pool).

    A worker that dies (killed, out of memory) or fails to start breaks the pool: the
    job's ``BrokenProcessPool`` is raised by ``take``, rather than waiting for ever.
    """

    def __init__(self, make: Callable[[], BatchReplay], workers: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._local: BatchReplay | None = None
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start,
                initargs=(make,),
            )
            # The pool forks its workers at the first job: make that now, before the file is
            # read, so they do not inherit the sort's buffers (their peak RSS stays flat).
            self._pool.submit(_ready).result()
        else:
            self._local = make()
        self.limit = workers + 1
        self._flight: deque[tuple[int, Future[Outcome] | Outcome]] = deque()

    @property
    def full(self) -> bool:
        """Whether the oldest job must be taken back before another is submitted."""
        return len(self._flight) >= self.limit

    @property
    def busy(self) -> bool:
        """Whether any job is still to be taken back."""
        return bool(self._flight)

    def submit(self, tag: int, job: Job) -> None:
        """Start replaying a job; ``tag`` comes back with its outcome."""
        if self._pool is None:
            assert self._local is not None
            self._flight.append((tag, self._local(job)))
        else:
            self._flight.append((tag, self._pool.submit(_run, job)))

    def take(self) -> tuple[int, Outcome]:
        """The oldest job's tag and outcome (waits for it); a worker's error is raised here."""
        tag, pending = self._flight.popleft()
        return tag, pending if isinstance(pending, Outcome) else pending.result()

    def __enter__(self) -> Replayers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=kind is not None)
