"""The store side of an import: bulk reads of stored appeals and keys, batch writes."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from api.container import Container
from api.storage.keystore import TABLE as KEYS
from ledger.domain import Appeal

CHUNK = 500


class SqlImportStore:
    """Reads what a batch needs in one query each; writes keys, then events, per batch."""

    def __init__(self, container: Container) -> None:
        self.ledger = container.ledger
        self.sql = container.sql
        self.table = container.events_table
        self.is_postgres = container.sql.dialect.is_postgres

    def stored_events(self, ids: Sequence[UUID]) -> dict[UUID, list[Appeal.Event]]:
        found: dict[UUID, list[Appeal.Event]] = {}
        to_event = self.ledger.mapper.to_domain_event
        select = f"SELECT originator_id, originator_version, topic, state FROM {self.table}"
        for chunk, where in self.chunks([self.key(i) for i in ids]):
            statement = f"{select} WHERE originator_id {where} ORDER BY 1, 2"
            for originator, version, topic, state in self.sql.rows(statement, chunk):
                appeal_id = originator if isinstance(originator, UUID) else UUID(originator)
                stored = StoredEvent(appeal_id, int(version), topic, bytes(state))
                found.setdefault(appeal_id, []).append(to_event(stored))  # type: ignore[arg-type]
        return found

    def exists(self, appeal_id: UUID) -> bool:
        statement = f"SELECT 1 FROM {self.table} WHERE originator_id = ? LIMIT 1"
        return bool(self.sql.rows(statement, [self.key(appeal_id)]))

    def keys(self, citizen_ids: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for chunk, where in self.chunks(list(citizen_ids)):
            statement = f"SELECT citizen_id, key FROM {KEYS} WHERE citizen_id {where}"
            for citizen_id, key in self.sql.rows(statement, chunk):
                found[citizen_id] = bytes(key)
        return found

    def write(self, appeals: Sequence[Appeal], keys: list[tuple[str, bytes]]) -> list[UUID]:
        if keys:
            # Keys first, committed: events sealed under a key are never stored without it.
            statement = self.sql.dialect.sql(
                f"INSERT INTO {KEYS} (citizen_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING"
            )
            with self.sql.transaction(commit=True) as cursor:
                cursor.executemany(statement, keys)  # type: ignore[attr-defined]
        lost = self._lost_keys(keys)
        refused = [a.id for a in appeals if (a.text_key or a.citizen_id) in lost]
        pending = {a.id: a.collect_events() for a in appeals if a.id not in refused}
        try:
            self.ledger.events.put([e for events in pending.values() for e in events])
        except IntegrityError:
            # Another writer stored events of some of these appeals meanwhile: save each
            # appeal alone, so only those are refused.
            collided = refused
            for appeal_id, events in pending.items():
                try:
                    self.ledger.events.put(events)
                except IntegrityError:
                    collided.append(appeal_id)
            return collided
        return refused

    def _lost_keys(self, keys: list[tuple[str, bytes]]) -> set[str]:
        """Citizens whose key another writer created first (what we sealed under is lost)."""
        if not keys:
            return set()
        stored = self.keys([citizen_id for citizen_id, _ in keys])
        return {citizen_id for citizen_id, key in keys if stored.get(citizen_id) != key}

    def key(self, appeal_id: UUID) -> object:
        return appeal_id if self.is_postgres else appeal_id.hex

    def chunks(self, values: list[object] | list[str]) -> list[tuple[list[object], str]]:
        if self.is_postgres:
            return [([list(values)], "= ANY(?)")] if values else []
        return [
            (list(values[i : i + CHUNK]), f"IN ({', '.join('?' * len(values[i : i + CHUNK]))})")
            for i in range(0, len(values), CHUNK)
        ]
