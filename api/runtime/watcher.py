"""Read-your-writes without a thread per waiter: waiting mutations park on the event loop.

The views' position reaches the watcher by push wherever it can: the projection worker in
this process calls ``advance`` after every batch, and on PostgreSQL every process hears the
worker's ``NOTIFY`` on the views' channel (``api.runtime.advances``), whichever process projects.
Pushes cost nothing while nobody waits and wake a waiter within a loop iteration.

A poller queries the views' positions only while someone waits: every ``FALLBACK_SECONDS``
when positions are pushed (a lost notification, a worker in another process on SQLite),
or every ``POLL_SECONDS`` when nothing pushes.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

from api.storage.unavailable import is_unavailable
from projections.read_models import ReadModels

POLL_SECONDS = 0.003
FALLBACK_SECONDS = 0.02
RETRY_SECONDS = 0.25


class PositionWatcher:
    """Resolves ``wait(position)`` once every view has processed that position."""

    def __init__(self, read_models: ReadModels, pushed: Callable[[], bool] = lambda: False) -> None:
        self.read_models = read_models
        self.pushed = pushed
        self.known = 0
        self._waiters: list[tuple[int, int, float, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._poller: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def wait(self, position: int, timeout: float) -> bool:
        """True once the views reached ``position``; False after ``timeout`` seconds."""
        if position <= self.known:
            return True
        loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiters, (position, next(self._order), time.monotonic(), future))
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll())
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            future.cancel()  # dropped at the next release; the poller stops when nobody waits
            return False
        return True

    def advance(self, position: int) -> None:
        """The views have reached ``position`` (call on the loop's thread)."""
        if position > self.known:
            self.known = position
            self._release()

    def advance_threadsafe(self, position: int) -> None:
        """``advance`` from any thread; free while nobody has waited yet."""
        loop = self._loop
        if position > self.known and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.advance, position)

    def _release(self) -> None:
        waiters = self._waiters
        while waiters and waiters[0][0] <= self.known:
            _, _, _, future = heapq.heappop(waiters)
            if not future.done():
                future.set_result(None)

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiters:
            interval = FALLBACK_SECONDS if self.pushed() else POLL_SECONDS
            await asyncio.sleep(interval)
            if any(w[3].cancelled() for w in self._waiters):
                self._waiters = [w for w in self._waiters if not w[3].cancelled()]
                heapq.heapify(self._waiters)
            # Pushed positions usually come first: query only for a waiter left waiting.
            if self._waiters and time.monotonic() - self._waiters[0][2] >= interval:
                try:
                    positions = await loop.run_in_executor(None, self.read_models.positions)
                except Exception as error:
                    if not is_unavailable(error):
                        raise
                    # The store is away: keep polling; each waiter's own timeout bounds it.
                    await asyncio.sleep(RETRY_SECONDS)
                    continue
                self.advance(min(positions.values(), default=0))
