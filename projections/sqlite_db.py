"""The read side on SQLite: the datastore's writer connection serialises writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore

from projections.appeal_stream import Pages, sqlite_pages
from projections.db import Cursor, Database
from projections.decoding import Row

ID_CHUNK = 500
"""Ids per ``IN (…)`` list: SQLite caps a statement's parameters."""


class SqliteDatabase(Database):
    """SQLite: the datastore's writer connection serialises writes; ids are rowids."""

    def __init__(self, datastore: SQLiteDatastore, events_table: str) -> None:
        super().__init__(events_table)
        self.datastore = datastore
        self._events = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {events_table} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )

    @contextmanager
    def transaction(self, *, pipelined: bool = False) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=True) as wrapped:
            yield wrapped.sqlite_cursor

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=False) as wrapped:
            yield wrapped.sqlite_cursor

    def events_after(self, position: int, limit: int) -> list[Row]:
        with self.reading() as cursor:
            cursor.execute(self._events, (position, limit))
            return [
                Row(p, UUID(o), v, t, bytes(s))
                for p, o, v, t, s in (tuple(r) for r in cursor.fetchall())
            ]

    @contextmanager
    def appeal_pages(self, cursor: Cursor, page: int) -> Iterator[tuple[int, Pages]]:
        yield sqlite_pages(cursor, self.events_table, page)

    def head(self) -> int:
        with self.reading() as cursor:
            cursor.execute(f"SELECT max(rowid) FROM {self.events_table}")
            value = cursor.fetchone()[0]
        return int(value or 0)

    def select_ids(self, cursor: Cursor, select: str, ids: Sequence[UUID]) -> list[Any]:
        wanted = [i.hex for i in ids]
        rows: list[Any] = []
        for start in range(0, len(wanted), ID_CHUNK):
            chunk = wanted[start : start + ID_CHUNK]
            cursor.execute(f"{select} WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
            rows += cursor.fetchall()
        return rows

    def delete_ids(self, cursor: Cursor, table: str, ids: Sequence[UUID]) -> None:
        cursor.executemany(f"DELETE FROM {table} WHERE id = ?", [(i.hex,) for i in ids])

    def add_missing_columns(
        self, cursor: Cursor, table: str, columns: Sequence[tuple[str, str]]
    ) -> None:
        cursor.execute(f"PRAGMA table_info({table})")
        present = {row[1] for row in cursor.fetchall()}
        for name, kind in columns:
            if name not in present:
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def columns(self, cursor: Cursor, table: str) -> set[str]:
        cursor.execute(f"PRAGMA table_info({table})")
        return {row[1] for row in cursor.fetchall()}

    def uuid(self, value: UUID) -> Any:
        return value.hex

    def tables(self) -> set[str]:
        with self.reading() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {row[0] for row in cursor.fetchall()}
