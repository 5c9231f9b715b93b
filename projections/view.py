"""What every view implements: live updates, a bulk rebuild and, for derived views, a re-derivation.

Three protocols, each a superset of the one before:

- ``View``: fed live by the runner, batch by batch (``apply``), its tracking row moved in
  the same transaction;
- ``RebuildableView``: also loaded in bulk by a full rebuild, into tables created without
  their secondary indexes (``create_table``), page by page (``stage``), settled once at the
  end (``settle``), before ``create`` adds the indexes;
- ``DerivedView``: a pure function of appeal states, so it can be re-derived from the
  appeals view alone (``derivation``), without reading the log;
- ``EventView``: a view of the events themselves (the search view indexes their texts,
  which states do not carry): the runner hands it the batch's events of the kinds it
  ``wants``, live and during a full rebuild, in log order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from projections.appeal_state import AppealState
from projections.db import Cursor, Database
from projections.decoding import Fields, RawRow

Transition = tuple[AppealState | None, AppealState]
"""An appeal before the batch (``None`` when it is new) and after it."""
LoggedEvent = tuple[RawRow, Fields]
"""One event of the log: its row (position, appeal id, version, topic, state) and fields."""


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


class RebuildableView(View, Protocol):
    """A view a full rebuild loads in bulk into freshly created tables."""

    def create_table(self, db: Database, cursor: Cursor) -> None:
        """Create the tables without secondary indexes; ``create`` adds them at the end."""
        ...

    def stage(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """Load one page of new appeals (every ``before`` is ``None``)."""
        ...

    def settle(self, db: Database, cursor: Cursor) -> None:
        """Finish the load after the last page, before ``create`` adds the indexes."""
        ...


class Derivation(Protocol):
    """One re-derivation of a derived view from the appeals view, chunk by chunk."""

    def add(self, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """Take one chunk of appeal states (every ``before`` is ``None``)."""
        ...

    def finish(self, cursor: Cursor) -> None:
        """Write whatever is still pending."""
        ...


class DerivedView(RebuildableView, Protocol):
    """A view that is a pure function of appeal states."""

    def derivation(self, db: Database) -> Derivation:
        """Start re-deriving into the view's (empty) tables."""
        ...


class EventView(RebuildableView, Protocol):
    """A view of events: fed the batch's events of the kinds it wants, not appeal states."""

    wanted: frozenset[type[Any]]
    """The event classes it reads; the runner hands it only these."""

    def apply_events(self, db: Database, cursor: Cursor, events: Sequence[LoggedEvent]) -> None:
        """Write the effect of one batch's (or one rebuild page's) wanted events."""
        ...
