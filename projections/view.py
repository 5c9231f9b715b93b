"""What every view implements: its tables and how it takes a batch of appeal transitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from projections.db import Cursor, Database
from projections.state import AppealState

Transition = tuple[AppealState | None, AppealState]
"""An appeal before the batch (``None`` when it is new) and after it."""


class View(Protocol):
    """A read model fed by the runner; its tracking row moves in the same transaction."""

    name: str

    def create(self, db: Database, cursor: Cursor) -> None:
        """Create the view's tables and indexes if missing."""
        ...

    def drop(self, db: Database, cursor: Cursor) -> None:
        """Drop the view's tables."""
        ...

    def apply(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """Write the effect of one batch."""
        ...
