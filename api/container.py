"""What every entrypoint holds: the ledger and its SQL adapters on one store (built by
``api.bootstrap.build``)."""

from __future__ import annotations

from dataclasses import dataclass

from api.settings import Settings
from api.storage.keystore import SqlKeyStore
from api.storage.sql import Sql
from api.storage.sqliterecorder import WriterConnectionRecorder
from api.storage.store import Store
from ledger.application import AppealsLedger


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
