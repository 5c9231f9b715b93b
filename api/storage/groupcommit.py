"""Group commit: concurrent appends share one transaction, written by whichever came first.

Every append on PostgreSQL takes the events table's ``EXCLUSIVE`` lock, commits and
notifies, so concurrent writers queue behind each other and every listener wakes once per
append. Here a caller that finds nobody writing becomes the leader and writes everything
pending in one call; callers that arrive meanwhile wait, and the next batch's leader is the
first of them. A lone caller writes at once in its own thread, as before.

The batch writer answers each item separately (its result, or the exception that item
raised), so one item's failure, such as a uniqueness conflict, is that item's alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Slot(Generic[T, R]):
    """One caller's item, its outcome, and its turn to lead."""

    __slots__ = ("done", "item", "leads", "outcome", "woken")

    def __init__(self, item: T) -> None:
        self.item = item
        self.outcome: R | BaseException | None = None
        self.done = False
        self.leads = False
        self.woken = threading.Event()


class GroupCommit(Generic[T, R]):
    """Runs ``write`` over batches of concurrently submitted items (at most ``limit`` each).

    ``write`` gets the items in one call and answers one outcome per item, in order: its
    result, or the exception that item alone raised. An exception out of ``write`` itself
    fails every item of the batch.
    """

    def __init__(
        self, write: Callable[[Sequence[T]], Sequence[R | BaseException]], *, limit: int = 64
    ) -> None:
        self.write = write
        self.limit = limit
        self._lock = threading.Lock()
        self._pending: list[_Slot[T, R]] = []
        self._writing = False

    def submit(self, item: T) -> R:
        """Write ``item`` (alone or with others) and return its result, or raise its error."""
        slot: _Slot[T, R] = _Slot(item)
        with self._lock:
            self._pending.append(slot)
            slot.leads = not self._writing
            self._writing = True
        if not slot.leads:
            slot.woken.wait()
        if slot.leads:
            while not slot.done:
                self._write_batch()
            self._hand_over()
        if isinstance(slot.outcome, BaseException):
            raise slot.outcome
        return slot.outcome  # type: ignore[return-value]

    def _write_batch(self) -> None:
        with self._lock:
            batch, self._pending = self._pending[: self.limit], self._pending[self.limit :]
        try:
            outcomes: Sequence[R | BaseException] = self.write([s.item for s in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} items")
        except BaseException as error:  # noqa: BLE001 - the whole batch failed: each caller gets it
            outcomes = [error] * len(batch)
        for done, outcome in zip(batch, outcomes, strict=True):
            done.outcome, done.done = outcome, True
            if not done.leads:
                done.woken.set()

    def _hand_over(self) -> None:
        """The leader's own item is written: the first waiter leads the next batch."""
        with self._lock:
            if not self._pending:
                self._writing = False
                return
            following = self._pending[0]
            following.leads = True
        following.woken.set()
