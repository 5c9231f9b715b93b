"""Assemble the read side from what the composition root hands over (no settings here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import Mapper
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from projections.appeals_view import AppealsView
from projections.db import Database, database_for
from projections.decoding import EventDecoder
from projections.listener import pg_listener
from projections.read_models import ReadModels, _utcnow
from projections.runner import Runner
from projections.state import Folder
from projections.statistics_view import StatisticsView
from projections.view import View
from projections.worker import Worker
from projections.workload_view import WorkloadView


@dataclass
class ReadSide:
    """The runner that writes views and the read models that query them."""

    db: Database
    runner: Runner
    read_models: ReadModels
    channel: str | None

    def worker(self, *, poll: float = 0.02, idle: float = 1.0) -> Worker:
        """A worker thread object: ``start()`` it, ``stop()`` it."""
        datastore = getattr(self.db, "datastore", None)
        if self.channel is not None and isinstance(datastore, PostgresDatastore):
            return Worker(self.runner, pg_listener(datastore, self.channel), idle=idle)
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
) -> ReadSide:
    """Views, runner and read models on the ledger's own datastore."""
    db = database_for(datastore, events_table)
    views: list[View] = [AppealsView(), StatisticsView(calendar), WorkloadView()]
    runner = Runner(db, EventDecoder(mapper), Folder(norms, calendar), views, batch_size=batch_size)
    read_models = ReadModels(db, runner.names, clock)
    return ReadSide(db, runner, read_models, notify_channel)
