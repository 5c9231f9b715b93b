"""The outbox: public answers waiting to go back to their channel, and where the worker is.

Rows are derived from the log (``Deliverer.catch_up``), so an answer recorded is an answer
that will be delivered, whatever happens between the two. A row is *claimed* before each
attempt with a conditional update, so two workers overlapping for a moment (a leadership
hand-over) never both attempt it; the claim lasts a lease, after which a row still marked
``sending`` is *in doubt*: its worker stopped during the platform call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from channels.named_values import NamedValues
from channels.sqlport import SqlRunner

TABLE = "channel_outbox"
POSITION = NamedValues("channel_outbox_position", "position", "BIGINT")
PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer to deliver: its appeal, its index, and how far delivery got."""

    appeal_id: str
    answer: int
    channel: str
    state: str
    attempts: int


class Outbox:
    """Rows of answers to deliver, and the log position they are derived up to."""

    def __init__(self, sql: SqlRunner) -> None:
        self.sql = sql
        sql.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (appeal_id TEXT NOT NULL, answer INTEGER NOT NULL,"
            " channel TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
            " next_at_ms BIGINT NOT NULL, PRIMARY KEY (appeal_id, answer))"
        )
        sql.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_due ON {TABLE} (state, next_at_ms)")
        sql.execute(POSITION.create())

    def position(self) -> int:
        """The log position up to which answers were enqueued."""
        rows = self.sql.rows(POSITION.select(), ["deliveries"])
        return int(rows[0][0]) if rows else 0

    def enqueue(self, entries: Iterable[tuple[str, int, str]], position: int, now_ms: int) -> None:
        """Add (appeal id, answer, channel) rows and move the position, in one transaction."""
        insert = self.sql.dialect.sql(
            f"INSERT INTO {TABLE} (appeal_id, answer, channel, state, attempts, next_at_ms)"
            " VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING"
        )
        move = self.sql.dialect.sql(POSITION.upsert())
        with self.sql.transaction(commit=True) as cursor:
            for appeal_id, answer, channel in entries:
                cursor.execute(insert, (appeal_id, answer, channel, PENDING, now_ms))
            cursor.execute(move, ("deliveries", position))

    def due(self, now_ms: int, limit: int = 20) -> list[Entry]:
        """Rows waiting for an attempt, or whose attempt's lease ran out (in doubt)."""
        rows = self.sql.rows(
            f"SELECT appeal_id, answer, channel, state, attempts FROM {TABLE}"
            " WHERE state IN (?, ?) AND next_at_ms <= ? ORDER BY next_at_ms LIMIT ?",
            [PENDING, SENDING, now_ms, limit],
        )
        return [Entry(str(a), int(n), str(c), str(s), int(t)) for a, n, c, s, t in rows]

    def claim(self, entry: Entry, lease_until_ms: int) -> bool:
        """Mark the row as being sent, if nobody changed it since it was read."""
        return self._change(entry, SENDING, entry.attempts + 1, lease_until_ms)

    def retry_at(self, entry: Entry, attempts: int, at_ms: int) -> None:
        """After a failed attempt: try again at ``at_ms``."""
        self._set(entry, PENDING, attempts, at_ms)

    def finish(self, entry: Entry, state: str, attempts: int) -> None:
        """Delivered or failed for good: the row leaves the queue."""
        self._set(entry, state, attempts, 0)

    def counts(self) -> dict[str, int]:
        """Rows by state (for tests and the operator)."""
        rows = self.sql.rows(f"SELECT state, count(*) FROM {TABLE} GROUP BY state")
        return {str(state): int(n) for state, n in rows}

    def _change(self, entry: Entry, state: str, attempts: int, at_ms: int) -> bool:
        statement = self.sql.dialect.sql(
            f"UPDATE {TABLE} SET state = ?, attempts = ?, next_at_ms = ?"
            " WHERE appeal_id = ? AND answer = ? AND state = ? AND attempts = ? RETURNING answer"
        )
        values = (
            state,
            attempts,
            at_ms,
            entry.appeal_id,
            entry.answer,
            entry.state,
            entry.attempts,
        )
        with self.sql.transaction(commit=True) as cursor:
            cursor.execute(statement, values)
            return cursor.fetchone() is not None

    def _set(self, entry: Entry, state: str, attempts: int, at_ms: int) -> None:
        self.sql.execute(
            f"UPDATE {TABLE} SET state = ?, attempts = ?, next_at_ms = ?"
            " WHERE appeal_id = ? AND answer = ?",
            [state, attempts, at_ms, entry.appeal_id, entry.answer],
        )
