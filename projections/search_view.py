"""The search view: the words of appeal texts, public answers and notes, for full-text search.

One document per text event (its log position is the document id): the appeal's message, each
public answer and each internal note. PostgreSQL keeps a ``tsvector`` made by its own
``russian`` configuration, under a GIN index; SQLite keeps the same stems, made in Python
(``projections.search_words``), in an FTS5 table. Neither keeps the text itself.

Texts sealed under a citizen's key are opened with the ``opener`` the composition root hands
in; a text whose key was destroyed opens as ``None`` and is not indexed. ``PersonalDataErased``
deletes the appeal's sealed documents written before it (an answer given after the erasure is
sealed under a new key and stays searchable, as it stays readable), so erased data is never
found, and a rebuild, which cannot open it any more, never indexes it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from ledger.domain import Appeal
from projections.db import Cursor, Database
from projections.search_words import indexable, stems
from projections.view import LoggedEvent, Transition

DOCS = "appeal_search"
FTS = "appeal_fts"
Opener = Callable[[Sequence[tuple[str, str | None]]], list[str | None]]
"""Opens ``(text, key)`` pairs: the text in clear, or ``None`` where the key is gone."""
TextEvent = LoggedEvent
WANTED = frozenset({Appeal.Received, Appeal.Answered, Appeal.NoteAdded, Appeal.PersonalDataErased})
"""The events this view reads (the runner hands it only these)."""

_POSTGRES_TABLES = [
    f"""CREATE TABLE IF NOT EXISTS {DOCS} (doc BIGINT PRIMARY KEY, appeal_id UUID NOT NULL,
        kind TEXT NOT NULL, sealed BOOLEAN NOT NULL, terms TSVECTOR NOT NULL)""",
]
_POSTGRES_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {DOCS}_appeal ON {DOCS} (appeal_id)",
    # No pending list: live batches are small, and a search would scan the whole pending
    # list until a vacuum merged it (twice the time of a two-word search in a measurement).
    f"CREATE INDEX IF NOT EXISTS {DOCS}_terms ON {DOCS} USING GIN (terms) WITH (fastupdate = off)",
]
_SQLITE_TABLES = [
    f"""CREATE TABLE IF NOT EXISTS {DOCS} (doc INTEGER PRIMARY KEY, appeal_id TEXT NOT NULL,
        kind TEXT NOT NULL, sealed INTEGER NOT NULL)""",
    # The stems are words already: the tokenizer only splits them, and folds nothing.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(terms, "
    "tokenize = 'unicode61 remove_diacritics 0')",
]
_SQLITE_INDEXES = [f"CREATE INDEX IF NOT EXISTS {DOCS}_appeal ON {DOCS} (appeal_id)"]


_KINDS: dict[type[Any], str] = {Appeal.Received: "text", Appeal.Answered: "answer"}


class Document(NamedTuple):
    """One text to index: its log position, appeal, kind and the text as stored."""

    doc: int
    appeal_id: UUID
    kind: str
    text: str
    key: str | None


def keep_clear(texts: Sequence[tuple[str, str | None]]) -> list[str | None]:
    """An opener without keys: texts stored in clear only (sealed ones are not indexed)."""
    return [text if key is None else None for text, key in texts]


def documents(events: Sequence[TextEvent]) -> tuple[list[Document], dict[UUID, int]]:
    """The batch's documents and, per appeal erased in it, the position of the erasure."""
    found: list[Document] = []
    erased: dict[UUID, int] = {}
    for row, (kind, data) in events:
        position, appeal_id = row[0], row[1]
        if kind is Appeal.PersonalDataErased:
            erased[appeal_id] = position
            continue
        if kind is Appeal.Answered and not data["public"]:
            continue
        name = _KINDS.get(kind, "note")
        found.append(Document(position, appeal_id, name, data["text"], data.get("text_key")))
    # Sealed texts of an appeal erased later in the batch are gone already.
    kept = [d for d in found if d.key is None or d.doc > erased.get(d.appeal_id, -1)]
    return kept, erased


class SearchView:
    """Full-text documents per text event; erasure removes the sealed ones."""

    name = "search"
    wanted: frozenset[type[Any]] = WANTED

    def __init__(self, opener: Opener = keep_clear) -> None:
        self.opener = opener

    def create(self, db: Database, cursor: Cursor) -> None:
        for statement in self._tables(db) + self._indexes(db):
            cursor.execute(statement)

    def create_table(self, db: Database, cursor: Cursor) -> None:
        """The tables without secondary indexes, for a rebuild; ``create`` adds them."""
        for statement in self._tables(db):
            cursor.execute(statement)

    def drop(self, db: Database, cursor: Cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {DOCS}")
        if not db.dialect.is_postgres:
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")

    def apply(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """States carry no text: this view is fed by ``apply_events``."""

    def stage(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """States carry no text: a rebuild feeds this view by ``apply_events`` too."""

    def settle(self, db: Database, cursor: Cursor) -> None:
        """Nothing to sum: every document is written as its page is read."""

    def apply_events(self, db: Database, cursor: Cursor, events: Sequence[TextEvent]) -> None:
        """Index the batch's texts and forget the sealed texts of erased appeals."""
        docs, erased = documents(events)
        if erased:
            self._forget(db, cursor, list(erased))
        opened = self.opener([(d.text, d.key) for d in docs]) if docs else []
        # Platform identifiers (attachment references, long ids) are never indexed.
        rows = [
            (d, indexable(text)) for d, text in zip(docs, opened, strict=True) if text is not None
        ]
        if not rows:
            return
        if db.dialect.is_postgres:
            cursor.executemany(
                f"INSERT INTO {DOCS} (doc, appeal_id, kind, sealed, terms) "
                "VALUES (%s, %s, %s, %s, to_tsvector('russian', %s))",
                [(d.doc, d.appeal_id, d.kind, d.key is not None, text) for d, text in rows],
            )
            return
        cursor.executemany(
            f"INSERT INTO {DOCS} (doc, appeal_id, kind, sealed) VALUES (?, ?, ?, ?)",
            [(d.doc, d.appeal_id.hex, d.kind, int(d.key is not None)) for d, _ in rows],
        )
        cursor.executemany(
            f"INSERT INTO {FTS} (rowid, terms) VALUES (?, ?)",
            [(d.doc, " ".join(stems(text))) for d, text in rows],
        )

    def _forget(self, db: Database, cursor: Cursor, appeal_ids: list[UUID]) -> None:
        ids: list[Any] = [db.uuid(i) for i in appeal_ids]
        if db.dialect.is_postgres:
            cursor.execute(f"DELETE FROM {DOCS} WHERE sealed AND appeal_id = ANY(%s)", (ids,))
            return
        for appeal_id in ids:
            sealed = f"SELECT doc FROM {DOCS} WHERE appeal_id = ? AND sealed = 1"
            cursor.execute(f"DELETE FROM {FTS} WHERE rowid IN ({sealed})", (appeal_id,))
            cursor.execute(f"DELETE FROM {DOCS} WHERE appeal_id = ? AND sealed = 1", (appeal_id,))

    @staticmethod
    def _tables(db: Database) -> list[str]:
        return _POSTGRES_TABLES if db.dialect.is_postgres else _SQLITE_TABLES

    @staticmethod
    def _indexes(db: Database) -> list[str]:
        return _POSTGRES_INDEXES if db.dialect.is_postgres else _SQLITE_INDEXES
