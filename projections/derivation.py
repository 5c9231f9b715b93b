"""Re-derivations of derived views: write each chunk at once, or sum in memory and flush."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from projections.db import Cursor, Database
from projections.view import Transition

FLUSH_AT = 200_000
"""A summing re-derivation writes its sums once they hold this many keys."""


class Applied(Protocol):
    """A view that writes a chunk of transitions the way it writes a live batch."""

    def apply(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None: ...


class Sums(Protocol):
    """Pending additions held in memory."""

    def __len__(self) -> int: ...


S = TypeVar("S", bound=Sums)


class Summed(Protocol[S]):
    """A view that adds transitions into in-memory sums and flushes them to its tables."""

    def new_sums(self) -> S: ...

    def accumulate(self, sums: S, transitions: Sequence[Transition]) -> None: ...

    def flush(self, db: Database, cursor: Cursor, sums: S) -> None: ...


class Applying:
    """Writes each chunk as a live batch (views keyed by appeal: nothing to sum)."""

    def __init__(self, view: Applied, db: Database) -> None:
        self.view = view
        self.db = db

    def add(self, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """Write this chunk now."""
        if transitions:
            self.view.apply(self.db, cursor, transitions)

    def finish(self, cursor: Cursor) -> None:
        """Nothing is pending."""


class Summing(Generic[S]):
    """Sums chunks in memory, flushing at ``FLUSH_AT`` keys: memory bounded by that, not
    by the number of appeals."""

    def __init__(self, view: Summed[S], db: Database) -> None:
        self.view = view
        self.db = db
        self.sums = view.new_sums()

    def add(self, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """Add this chunk, flushing when the sums grew large."""
        self.view.accumulate(self.sums, transitions)
        if len(self.sums) >= FLUSH_AT:
            self.view.flush(self.db, cursor, self.sums)

    def finish(self, cursor: Cursor) -> None:
        """Flush what remains."""
        self.view.flush(self.db, cursor, self.sums)
