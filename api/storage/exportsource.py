"""The store side of an export: pages of the log, appeals' source identities, keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from api.container import Container
from api.storage.importstore import SqlImportStore
from ledger.domain import Appeal
from ledger.events import Received
from migration.record import AppealKey

REMEMBERED = 100_000


class SqlExportSource:
    """Reads the events table in log order; identities come from each appeal's receipt."""

    def __init__(self, container: Container) -> None:
        self.ledger = container.ledger
        self.store = SqlImportStore(container)
        self.sql = container.sql
        self.table = container.events_table
        self._known: dict[UUID, AppealKey] = {}

    def head(self) -> int:
        """The log's last position."""
        return int(self.ledger.recorder.max_notification_id() or 0)

    def page(self, after: int, limit: int) -> Sequence[tuple[int, Appeal.Event]]:
        to_event = self.ledger.mapper.to_domain_event
        notifications = self.ledger.recorder.select_notifications(start=after + 1, limit=limit)
        events = [(n.id, cast(Appeal.Event, to_event(n))) for n in notifications]
        for _, event in events:
            if isinstance(event, Appeal.Received):
                self._remember(event.originator_id, AppealKey(event.channel, event.external_id))
        return events

    def identities(self, ids: Sequence[UUID]) -> dict[UUID, AppealKey]:
        missing = [i for i in ids if i not in self._known]
        for chunk, where in self.store.chunks([self.store.key(i) for i in missing]):
            statement = (
                f"SELECT originator_id, originator_version, topic, state FROM {self.table} "
                f"WHERE originator_version = 1 AND originator_id {where}"
            )
            for originator, version, topic, state in self.sql.rows(statement, chunk):
                appeal_id = originator if isinstance(originator, UUID) else UUID(originator)
                stored = StoredEvent(appeal_id, int(version), topic, bytes(state))
                received = cast(Received, self.ledger.mapper.to_domain_event(stored))
                self._remember(appeal_id, AppealKey(received.channel, received.external_id))
        return {i: self._known[i] for i in ids}

    def keys(self, citizen_ids: Sequence[str]) -> dict[str, bytes]:
        return self.store.keys(citizen_ids)

    def _remember(self, appeal_id: UUID, key: AppealKey) -> None:
        if len(self._known) >= REMEMBERED:
            self._known.clear()
        self._known[appeal_id] = key
