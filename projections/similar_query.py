"""Appeals whose message is close to another's: likely duplicates for the operator.

Candidates are the appeals of the same body that are open or were received recently, whose
message shares any indexed word with the given text. They are ranked by the shared words,
each weighted by how rare it is: SQLite FTS5's ``bm25`` over the stems joined with ``OR``;
on PostgreSQL, whose ``ts_rank`` has no such weight, the inverse document frequencies of the
shared lexemes summed (see ``_POSTGRES``). Only messages count: answers and notes are the
office's words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.lifecycle import OPEN
from projections.appeals_query import to_appeal_row
from projections.appeals_view import ROW_COLUMNS, TABLE
from projections.codec import to_us
from projections.db import Database
from projections.models import AppealRow
from projections.search_view import DOCS, FTS
from projections.search_words import stems

_COLUMNS = ", ".join(f"{TABLE}.{column}" for column in ROW_COLUMNS)
_OPEN = ", ".join(f"'{status.value}'" for status in sorted(OPEN))
_POSTGRES = (
    # ts_rank knows nothing of how common a word is ("улица" is in most messages). So the
    # 500 messages ts_rank puts first are scored again by the inverse document frequency of
    # the words they share (over the log of the message's length), as bm25 does on SQLite.
    # The number of documents is the planner's estimate or, when larger, the messages counted
    # up to 10,000: a small store, or one not analysed yet (estimate -1), gets its true size.
    # A floor of 10,000 instead weighed the words of every message of a small store almost
    # alike (6 points fewer of 113 planted duplicates found). A word's frequency is an index
    # count capped at 1,000 (common words all weigh little), so the cost stays bounded
    # however large the store.
    "WITH words AS (SELECT DISTINCT lexeme FROM unnest(to_tsvector('russian', ?))), "
    "weights AS MATERIALIZED (SELECT quote_literal(lexeme)::tsquery AS word, "
    f"ln((1 + greatest(c.reltuples, (SELECT count(*) FROM (SELECT 1 FROM {DOCS} WHERE kind "
    "= 'text' LIMIT 10000) AS n))) / (1 + (SELECT count(*) FROM (SELECT 1 FROM "
    f"{DOCS} s WHERE s.kind = 'text' AND s.terms @@ quote_literal(lexeme)::tsquery "
    f"LIMIT 1000) AS capped))) AS idf FROM words, pg_class c WHERE c.oid = '{DOCS}'::regclass), "
    f"candidates AS (SELECT appeal_id, terms FROM {DOCS}, (SELECT replace(plainto_tsquery("
    "'russian', ?)::text, '&', '|')::tsquery AS query) AS q WHERE kind = 'text' AND "
    "terms @@ query ORDER BY ts_rank(terms, query, 1) DESC LIMIT 500) "
    "SELECT appeal_id AS hit, max((SELECT sum(w.idf) FROM weights w WHERE terms @@ w.word) "
    "/ ln(2 + length(terms)))::float8 AS score FROM candidates GROUP BY appeal_id"
)
_SQLITE = (
    f"SELECT d.appeal_id AS hit, max(m.score) AS score FROM (SELECT rowid AS doc, -rank AS "
    f"score FROM {FTS} WHERE {FTS} MATCH ?) AS m JOIN {DOCS} AS d ON d.doc = m.doc "
    "WHERE d.kind = 'text' GROUP BY d.appeal_id"
)


class SimilarQuery:
    """Ranks an appeal's neighbours by the words of its message."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def similar(
        self, appeal: AppealRow, text: str, since: datetime, first: int, now: datetime
    ) -> list[tuple[AppealRow, float]]:
        """Up to ``first`` other appeals of its body, open or received since ``since``."""
        terms = dict.fromkeys(stems(text))
        if not terms:
            return []
        if self.db.dialect.is_postgres:
            hits, words = _POSTGRES, [text, text]
        else:
            hits, words = _SQLITE, [" OR ".join('"' + t.replace('"', '""') + '"' for t in terms)]
        statement = (
            f"SELECT {_COLUMNS}, hits.score FROM ({hits}) AS hits JOIN {TABLE} "
            f"ON {TABLE}.id = hits.hit WHERE body = ? AND id <> ? "
            f"AND (status IN ({_OPEN}) OR received_at >= ?) "
            "ORDER BY hits.score DESC, id DESC LIMIT ?"
        )
        params: list[Any] = [*words, appeal.body, self.db.uuid(appeal.id), to_us(since), first]
        with self.db.reading() as cursor:
            cursor.execute(self.db.sql(statement), params)
            raw = [tuple(r) for r in cursor.fetchall()]
        return [(to_appeal_row(r, now), float(r[-1])) for r in raw]
