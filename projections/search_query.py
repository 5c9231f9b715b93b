"""The full-text part of an appeals query: which appeals match a text, and how well.

Each store ranks with its own function: PostgreSQL ``ts_rank`` (normalised by the log of the
document's length) over its ``russian`` configuration, SQLite FTS5's ``bm25`` over the same
stems made in Python. An appeal's score is its best document's (message, public answer or
note). Both need every word of the query (stop words aside) in one document.
"""

from __future__ import annotations

from typing import Any

from projections.db import Database
from projections.search_view import DOCS, FTS
from projections.search_words import match_query

_POSTGRES = (
    f"SELECT appeal_id AS hit, max(ts_rank(terms, query, 1))::float8 AS score "
    f"FROM {DOCS}, plainto_tsquery('russian', ?) AS query WHERE terms @@ query "
    "GROUP BY appeal_id"
)
_SQLITE = (
    # FTS5's ``rank`` is bm25 (lower is better); it is read in a subquery, as FTS5 refuses
    # its ranking functions inside an aggregate.
    f"SELECT d.appeal_id AS hit, max(m.score) AS score FROM (SELECT rowid AS doc, -rank AS "
    f"score FROM {FTS} WHERE {FTS} MATCH ?) AS m JOIN {DOCS} AS d ON d.doc = m.doc "
    "GROUP BY d.appeal_id"
)


_POSTGRES_IDS = f"SELECT appeal_id FROM {DOCS} WHERE terms @@ plainto_tsquery('russian', ?)"
_SQLITE_IDS = (
    f"SELECT d.appeal_id FROM {FTS} JOIN {DOCS} AS d ON d.doc = {FTS}.rowid WHERE {FTS} MATCH ?"
)


WALK = 1000
"""How many appeals, in a list's own order, a PostgreSQL search page probes before it asks
for every match instead (``walk_probe``)."""
# A correlated sub-select stays a per-row probe (an EXISTS or IN would become a join the
# planner may run as "every match, then sort"). The match is tested on the appeal's few
# documents, not in the WHERE clause, so no probe runs the whole GIN search (a planner
# without statistics did, 3.5 ms a probe); the inner sub-select makes the query once.
_POSTGRES_PROBE = (
    "(SELECT bool_or(probe.terms @@ (SELECT plainto_tsquery('russian', ?))) "
    f"FROM {DOCS} AS probe WHERE probe.appeal_id = {{row}}.id)"
)


class EmptySearchError(ValueError):
    """The text has no word to search for (only stop words, punctuation or spaces)."""


def hits(db: Database, text: str) -> tuple[str, list[Any]]:
    """A query of ``(hit, score)`` per matching appeal (higher scores match better)."""
    return _matching(db, text, _POSTGRES, _SQLITE)


def matching_ids(db: Database, text: str) -> tuple[str, list[Any]]:
    """A query of the ids of matching appeals, unranked (for lists in another order)."""
    return _matching(db, text, _POSTGRES_IDS, _SQLITE_IDS)


def _matching(db: Database, text: str, postgres: str, sqlite: str) -> tuple[str, list[Any]]:
    """The store's statement and its one parameter: the raw text for PostgreSQL to stem, or
    the FTS5 query of its stems for SQLite; a text with no word to search for is refused."""
    query = match_query(text)
    if query is None:
        raise EmptySearchError(text)
    if db.dialect.is_postgres:
        return postgres, [text]
    return sqlite, [query]


def walk_probe(db: Database, text: str, row: str) -> tuple[str, list[Any]] | None:
    """A condition that ``row`` (an appeals view alias) matches, probed by the appeal's id.

    A search page in any order but relevance walks the list's index and probes each appeal
    (a common text fills its page within a few hundred), so its cost does not grow with the
    number of matches. ``None`` on SQLite, where FTS5 answers a MATCH only for the whole
    table at once. A text with no word to search for is refused by ``matching_ids``, which
    the same page asks before any statement runs.
    """
    if not db.dialect.is_postgres:
        return None
    return _POSTGRES_PROBE.format(row=row), [text]
