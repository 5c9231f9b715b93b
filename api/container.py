"""The composition root: builds the ledger and its adapters from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from api.settings import Settings
from api.storage.keystore import SqlKeyStore
from api.storage.positions import SqlEventPositions
from api.storage.sql import Sql
from api.storage.sqliterecorder import WriterConnectionRecorder
from api.storage.store import Store, check_reachable, parse_store
from ledger.application import AppealsLedger
from ledger.privacy import CitizenVault


@dataclass
class Container:
    """Everything an entrypoint needs, built once."""

    settings: Settings
    store: Store
    ledger: AppealsLedger
    sql: Sql
    keys: SqlKeyStore

    @property
    def events_table(self) -> str:
        """The name the library gave the events table on this store."""
        return str(self.ledger.recorder.events_table_name)  # type: ignore[attr-defined]

    def close(self) -> None:
        """Release connections."""
        if isinstance(self.ledger.recorder, WriterConnectionRecorder):
            self.ledger.recorder.close()
        self.ledger.close()


def build(settings: Settings) -> Container:
    """Check the store is reachable, then wire the ledger to it."""
    store = parse_store(str(settings.database_url), pool_size=settings.pool_size,
                        connect_timeout=settings.db_connect_timeout,
                        statement_timeout=settings.db_statement_timeout)  # fmt: skip
    check_reachable(store)
    ledger = AppealsLedger(
        store.env,
        norms=settings.norms,
        calendar=settings.calendar,
        earliest=settings.earliest_business_time,
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    datastore: SQLiteDatastore | PostgresDatastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    sql = Sql(datastore)
    keys = SqlKeyStore(sql)
    ledger.vault = CitizenVault(keys)
    ledger.positions = SqlEventPositions(sql, str(ledger.recorder.events_table_name))  # type: ignore[attr-defined]
    return Container(settings, store, ledger, sql, keys)
