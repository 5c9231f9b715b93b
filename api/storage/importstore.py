"""The store side of an import: bulk reads of stored appeals and keys, batch writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from api.container import Container
from api.storage.keystore import TABLE as KEYS
from api.storage.sqliterecorder import WriterConnectionRecorder
from migration.batch import Row, Staged

CHUNK = 500


class SqlImportStore:
    """Reads what a batch needs in one query each; writes keys, then events, per batch."""

    def __init__(self, container: Container) -> None:
        self.ledger = container.ledger
        self.sql = container.sql
        self.table = container.events_table
        self.is_postgres = container.sql.dialect.is_postgres
        self.recorder = container.ledger.recorder
        self.in_memory = not self.is_postgres and container.store.path is None

    def stored_events(self, ids: Sequence[UUID]) -> dict[UUID, list[Row]]:
        found: dict[UUID, list[Row]] = {}
        select = f"SELECT originator_id, originator_version, topic, state FROM {self.table}"
        for chunk, where in self.chunks([self.key(i) for i in ids]):
            statement = f"{select} WHERE originator_id {where} ORDER BY 1, 2"
            for originator, version, topic, state in self.sql.rows(statement, chunk):
                appeal_id = originator if isinstance(originator, UUID) else UUID(originator)
                found.setdefault(appeal_id, []).append((int(version), topic, bytes(state)))
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

    def write(self, appeals: Sequence[Staged], keys: list[tuple[str, bytes]]) -> list[UUID]:
        if isinstance(self.recorder, WriterConnectionRecorder) and not self.in_memory:
            return self._write_sqlite(appeals, keys)
        if keys:
            # Keys first, committed: events sealed under a key are never stored without it.
            statement = self.sql.dialect.sql(
                f"INSERT INTO {KEYS} (citizen_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING"
            )
            with self.sql.transaction(commit=True) as cursor:
                cursor.executemany(statement, keys)  # type: ignore[attr-defined]
        lost = self._lost_keys(keys)
        refused = [a.appeal_id for a in appeals if a.key_id in lost]
        pending = {a.appeal_id: _stored(a) for a in appeals if a.appeal_id not in refused}
        try:
            self.recorder.insert_events([e for events in pending.values() for e in events])
        except IntegrityError:
            return refused + self._one_by_one(pending)
        return refused

    def _write_sqlite(self, appeals: Sequence[Staged], keys: list[tuple[str, bytes]]) -> list[UUID]:
        """Keys and events in one transaction on the recorder's writer connection.

        Not on the connection pool's writer: a server's projections and audit keeper hold
        that one while they write a page, longer than the pool lets a request wait.
        """
        assert isinstance(self.recorder, WriterConnectionRecorder)
        rows = {a.appeal_id: [(a.appeal_id.hex, *row) for row in a.events] for a in appeals}
        insert_key = f"INSERT INTO {KEYS} (citizen_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING"
        try:
            with self.recorder.writing() as writer:
                writer.executemany(insert_key, keys)
                lost = _lost(keys, _stored_keys(writer, [citizen for citizen, _ in keys]))
                refused = [a.appeal_id for a in appeals if a.key_id in lost]
                self.recorder.append_rows(
                    writer, [row for i, r in rows.items() if i not in refused for row in r]
                )
        except IntegrityError:
            # Nothing of the batch was written: keys on their own, then appeal by appeal.
            with self.recorder.writing() as writer:
                writer.executemany(insert_key, keys)
                lost = _lost(keys, _stored_keys(writer, [citizen for citizen, _ in keys]))
            refused = [a.appeal_id for a in appeals if a.key_id in lost]
            return refused + self._one_by_one(
                {a.appeal_id: _stored(a) for a in appeals if a.appeal_id not in refused}
            )
        return refused

    def _one_by_one(self, pending: Mapping[UUID, Sequence[StoredEvent]]) -> list[UUID]:
        """Another writer stored events of some of these appeals meanwhile: save each
        appeal alone, so only those are refused."""
        collided = []
        for appeal_id, events in pending.items():
            try:
                self.recorder.insert_events(events)
            except IntegrityError:
                collided.append(appeal_id)
        return collided

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


def _stored_keys(writer: sqlite3.Connection, citizen_ids: list[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for start in range(0, len(citizen_ids), CHUNK):
        chunk = citizen_ids[start : start + CHUNK]
        statement = f"SELECT citizen_id, key FROM {KEYS} WHERE citizen_id IN ({', '.join('?' * len(chunk))})"
        found.update((str(c), bytes(k)) for c, k in writer.execute(statement, chunk))
    return found


def _lost(keys: list[tuple[str, bytes]], stored: dict[str, bytes]) -> set[str]:
    """Citizens whose key another writer created first (what we sealed under is lost)."""
    return {citizen_id for citizen_id, key in keys if stored.get(citizen_id) != key}


def _stored(appeal: Staged) -> list[StoredEvent]:
    return [StoredEvent(appeal.appeal_id, *row) for row in appeal.events]
