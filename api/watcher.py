"""Read-your-writes without a thread per waiter: one poller wakes every waiting mutation.

Each mutation used to block a worker thread while it polled the views' positions, so under
load the thread pool filled with sleepers and writes queued behind them. Now waiters park on
the event loop and a single task polls the positions while anyone waits.

While this process runs the projection worker, the poller reads that worker's position from
memory (no query, no thread hop) every millisecond, and queries the views' positions only
every ``FALLBACK_SECONDS``. Otherwise (``local`` gives None) it queries them every
``POLL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

from projections.read_models import ReadModels

POLL_SECONDS = 0.003
LOCAL_POLL_SECONDS = 0.001
FALLBACK_SECONDS = 0.02


class PositionWatcher:
    """Resolves ``wait(position)`` once every view has processed that position."""

    def __init__(
        self, read_models: ReadModels, local: Callable[[], int | None] = lambda: None
    ) -> None:
        self.read_models = read_models
        self.local = local
        self.known = 0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._poller: asyncio.Task[None] | None = None

    async def wait(self, position: int, timeout: float) -> bool:
        """True once the views reached ``position``; False after ``timeout`` seconds."""
        if position <= self.known:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (position, next(self._order), future))
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll())
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            future.cancel()  # the poller drops it, and stops when nobody waits
            return False
        return True

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        queried = time.monotonic()  # the local worker usually gets there first
        while self._waiters:
            started = time.monotonic()
            local = self.local()
            if local is not None:
                self.known = max(self.known, local)
            if local is None or started - queried >= FALLBACK_SECONDS:
                if self._waiters[0][0] > self.known:
                    positions = await loop.run_in_executor(None, self.read_models.positions)
                    self.known = max(self.known, min(positions.values(), default=0))
                queried = started
            while self._waiters and self._waiters[0][0] <= self.known:
                _, _, future = heapq.heappop(self._waiters)
                if not future.done():
                    future.set_result(None)
            if any(w[2].cancelled() for w in self._waiters):
                self._waiters = [w for w in self._waiters if not w[2].cancelled()]
                heapq.heapify(self._waiters)
            interval = POLL_SECONDS if local is None else LOCAL_POLL_SECONDS
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
