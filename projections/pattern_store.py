"""Suppression patterns kept in the store, so each month's is computed once, not per process.

The exact audit of a month (``projections.disclosure``) can take seconds to minutes on a
sparse month. The duty computes every month's pattern when it builds the open data and saves
it here; an API process on any machine, or one restarted, reads it instead of computing it
again. A row is a month's pattern for one threshold, with the digest of the cells it was
computed from: a process uses it only when its own cells have the same digest (the same
content gives the same pattern, so a stored pattern is never applied to other cells), and
otherwise computes the pattern itself, as before. One row per month and threshold: a save
replaces the month's older pattern, so the table stays as small as the number of months.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from datetime import date
from threading import Lock

from projections.db import Cursor, Database
from projections.disclosure import Cells, Pattern, pattern

TABLE = "disclosure_patterns"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (month TEXT NOT NULL, threshold INTEGER NOT NULL, "
    "digest TEXT NOT NULL, hidden TEXT NOT NULL, rating_hidden TEXT NOT NULL, "
    "PRIMARY KEY (month, threshold))"
)
VERSION = "exact-audit-1"
"""Changes whenever the suppression rules change, so patterns of older rules are not used."""


def create(db: Database, cursor: Cursor) -> None:
    """Create the table if missing (inside the read side's setup transaction)."""
    cursor.execute(db.sql(DDL))


def digest(cells: Cells, threshold: int, tables: frozenset[int]) -> str:
    """What a pattern is a function of, hashed."""
    content = repr((VERSION, threshold, sorted(tables), cells)).encode()
    return hashlib.sha256(content).hexdigest()


KEPT = 64
"""Recent patterns kept in this process, by month and digest, for every store object: GraphQL
``rankings`` makes its statistics per request, and must not read and decode a row each time."""
_RECENT: OrderedDict[tuple[date, str], Pattern] = OrderedDict()
_LOCK = Lock()


class PatternStore:
    """A month's pattern from the store when its cells match, else computed (and saved).

    ``remember``: save what is computed here (the duty on the primary; an API process
    reading a standby does not write). A remembering store always asks the table first, so
    a pattern this process computed without saving is saved by the duty's next build.
    """

    def __init__(self, db: Database, *, remember: bool = False) -> None:
        self.db = db
        self.remember = remember

    def pattern(self, month: date, cells: Cells, threshold: int, tables: frozenset[int]) -> Pattern:
        """The pattern of ``month``'s ``cells``, read, remembered or computed."""
        key = digest(cells, threshold, tables)
        found = None if self.remember else _recent(month, key)
        if found is None:
            found = self._read(month, threshold, key)
        if found is None:
            found = _recent(month, key) or pattern(cells, threshold, tables)
            if self.remember:
                self._save(month, threshold, key, found)
        with _LOCK:
            _RECENT[month, key] = found
            while len(_RECENT) > KEPT:
                _RECENT.popitem(last=False)
        return found

    def _read(self, month: date, threshold: int, key: str) -> Pattern | None:
        with self.db.reading() as cursor:
            cursor.execute(
                self.db.sql(
                    f"SELECT hidden, rating_hidden FROM {TABLE} "
                    "WHERE month = ? AND threshold = ? AND digest = ?"
                ),
                [month.isoformat(), threshold, key],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        hidden, rating_hidden = tuple(row)
        return Pattern(_keys(hidden), _keys(rating_hidden))

    def _save(self, month: date, threshold: int, key: str, found: Pattern) -> None:
        statement = (
            f"INSERT INTO {TABLE} (month, threshold, digest, hidden, rating_hidden) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (month, threshold) DO UPDATE SET "
            "digest = excluded.digest, hidden = excluded.hidden, "
            "rating_hidden = excluded.rating_hidden"
        )
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(statement),
                [
                    month.isoformat(),
                    threshold,
                    key,
                    json.dumps(sorted(found.hidden)),
                    json.dumps(sorted(found.rating_hidden)),
                ],
            )


def _keys(text: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(key) for key in json.loads(text))


def _recent(month: date, key: str) -> Pattern | None:
    with _LOCK:
        found = _RECENT.get((month, key))
        if found is not None:
            _RECENT.move_to_end((month, key))
        return found
