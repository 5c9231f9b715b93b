"""Assemble the read side from what the composition root hands over (no settings here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from projections.appeals_query import to_appeal_row
from projections.appeals_view import AppealsView, to_row
from projections.db import Database
from projections.decoding import EventDecoder
from projections.listener import pg_listener
from projections.models import AppealRow
from projections.postgres_db import PostgresDatabase
from projections.read_models import ReadModels, _utcnow
from projections.runner import Runner, Worker
from projections.search_view import Opener, SearchView, keep_clear
from projections.sqlite_db import SqliteDatabase
from projections.state import Folder
from projections.statistics_view import StatisticsView
from projections.view import DerivedView
from projections.workload_view import WorkloadView


@dataclass
class ReadSide:
    """The runner that writes views and the read models that query them."""

    db: Database
    runner: Runner
    read_models: ReadModels
    channel: str | None

    def new_row(self, events: Sequence[tuple[int, Any]]) -> AppealRow:
        """The view's row of a new appeal whose whole history is ``events``, without a read.

        ``events`` are (log position, domain event) pairs in log order, the first a
        ``Received``. They are folded exactly as the runner folds stored events (an event's
        attributes are what decoding its stored row gives), so once the views reach the last
        position, this is the row they hold.
        """
        folder = self.runner.folder
        (position, received), *later = events
        state = folder.start(
            received.originator_id,
            (type(received), received.__dict__),
            received.originator_version,
            position,
        )
        for position, event in later:
            folder.apply(state, (type(event), event.__dict__), event.originator_version, position)
        return to_appeal_row(to_row(state, self.db), self.read_models.clock())

    def worker(self, *, poll: float = 0.02, idle: float = 1.0) -> Worker:
        """A worker thread object: ``start()`` it, ``stop()`` it."""
        if self.channel is not None and isinstance(self.db, PostgresDatabase):
            return Worker(self.runner, pg_listener(self.db.datastore, self.channel), idle=idle)
        return Worker(self.runner, poll=poll)


def build_read_side(
    datastore: SQLiteDatastore | PostgresDatastore,
    events_table: str,
    mapper: Mapper[UUID],
    norms: Norms,
    calendar: ProductionCalendar,
    *,
    notify_channel: str | None = None,
    clock: Callable[[], datetime] = _utcnow,
    batch_size: int = 10_000,
    opener: Opener = keep_clear,
) -> ReadSide:
    """Views, runner and read models on the ledger's own datastore.

    ``opener`` opens sealed texts for the search view (the ledger's ``open_texts``).
    """
    db = database_for(datastore, events_table)
    derived: list[DerivedView] = [StatisticsView(calendar), WorkloadView()]
    folder = Folder(norms, calendar)
    readers = [SearchView(opener)]
    runner = Runner(
        db, EventDecoder(mapper), folder, AppealsView(), derived, readers, batch_size=batch_size
    )
    read_models = ReadModels(db, runner.names, clock)
    return ReadSide(db, runner, read_models, notify_channel)


def database_for(datastore: SQLiteDatastore | PostgresDatastore, events_table: str) -> Database:
    """The implementation that fits the ledger's datastore."""
    if isinstance(datastore, PostgresDatastore):
        return PostgresDatabase(datastore, events_table)
    return SqliteDatabase(datastore, events_table)
