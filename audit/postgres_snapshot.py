"""A read-only snapshot of the audit log's tables on PostgreSQL, for verifying and exporting.

Pages are built by the server: each event as ``event_head`` spells it, each stored leaf as
``stored_leaf_bytes`` spells it, each level's hashes as one value, so a verifier parses a
page instead of a row at a time. Side connections import the same snapshot to read in
parallel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection, Cursor, sql
from psycopg.rows import TupleRow, tuple_row

from audit.leaves import PREIMAGE
from audit.store import (
    LEAVES,
    NODES,
    EventPage,
    Incomplete,
    LeafPage,
    SqlSnapshot,
    cut_pages,
)

PgCursor = Cursor[TupleRow]
NODE_PAGE = 200_000
# Each event as ``event_head`` spells it, and its state: two values a row parse fast. A uuid's
# text is always 36 characters; ``textsend`` is a plain copy (the snapshot's client encoding is
# UTF-8), several times cheaper per row than ``convert_to`` and a second uuid-to-text.
EVENT_HEADS = (
    "SELECT int8send(notification_id) || '\\x00000024'::bytea || textsend(originator_id::text) "
    "|| int8send(originator_version) || int4send(octet_length(topic)) || textsend(topic), state "
    "FROM {} WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
)
# Each stored leaf as ``stored_leaf_bytes`` spells it, built by the server: the inputs and the
# hashes of a page, each as one value. The aggregates read a subquery already in leaf order
# rather than sorting again (``ORDER BY`` inside an aggregate always sorts, which cost twice
# the rest); were the rows ever fed out of order, the page would differ and be diagnosed, so
# that can only raise a false alarm, never hide a change.
STORED_LEAVES = (
    "SELECT string_agg(%s::bytea || int8send(leaf_index) || int8send(notification_id) || "
    "int4send(octet_length(appeal_id)) || textsend(appeal_id) || int8send(version) || "
    "int4send(octet_length(topic)) || textsend(topic) || state_sha256, ''::bytea), "
    f"string_agg(leaf_hash, ''::bytea) FROM (SELECT * FROM {LEAVES} WHERE leaf_index >= %s "
    "AND leaf_index < %s ORDER BY leaf_index) AS page"
)
# One page of a level's node hashes in index order, by the same ordered subquery, its size and
# its last index (indices 0..n-1 and none else: a node that moved would keep the digest).
LEVEL_PAGE = (
    f"SELECT count(*), max(idx), string_agg(hash, ''::bytea) FROM (SELECT idx, hash FROM {NODES} "
    "WHERE level = %s AND idx >= %s AND idx < %s ORDER BY idx) AS page"
)


class PostgresSnapshot(SqlSnapshot):
    """One REPEATABLE READ, READ ONLY transaction, read in keyset pages of binary rows."""

    mark = "%s"

    parallel = True

    def __init__(
        self, datastore: PostgresDatastore, connection: Connection[Any], events_table: str
    ) -> None:
        self.datastore, self.connection, self.events = datastore, connection, events_table
        self.snapshot_id = _begin_snapshot(connection, None)

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[TupleRow]:
        with self.connection.cursor(row_factory=tuple_row, binary=True) as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    def count_events(self, *, after: int = 0) -> int:
        rows = self._rows(
            f"SELECT count(*) FROM {self.events} WHERE notification_id > %s", (after,)
        )
        return int(rows[0][0])

    def event_pages(
        self, cuts: Sequence[int], batch: int, *, until: int | None
    ) -> Iterator[EventPage]:
        start, last, stop = 0, 0, 2**63 - 1 if until is None else until
        while rows := self._rows(
            EVENT_HEADS.format(self.events), (last, stop, cut_pages(start, cuts, batch))
        ):
            yield start, rows
            start, last = start + len(rows), int.from_bytes(rows[-1][0][:8], "big")

    @contextmanager
    def _side(self) -> Iterator[PgCursor]:
        """A cursor on another backend in the same snapshot, to work beside the pages."""
        with self.datastore.get_connection() as other, other.transaction(force_rollback=True):
            _begin_snapshot(other, self.snapshot_id)
            with other.cursor(row_factory=tuple_row, binary=True) as cursor:
                yield cursor

    def leaf_pages(self, cuts: Sequence[int], batch: int) -> Iterator[LeafPage]:
        with self._side() as cursor:
            start = 0
            while True:
                stop = start + cut_pages(start, cuts, batch)
                cursor.execute(STORED_LEAVES, (PREIMAGE, start, stop))
                row = cursor.fetchone()
                inputs, hashes = row if row else (None, None)
                yield start, bytes(inputs or b""), bytes(hashes or b"")
                start = stop

    def appeals(self, limit: int) -> tuple[int, list[Incomplete]]:
        with self._side() as cursor:
            return self._appeals(cursor, limit)

    def _appeals(self, cursor: PgCursor, limit: int) -> tuple[int, list[Incomplete]]:
        grouped = self._versions()
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE lo <> 1 OR hi <> n) FROM ({grouped}) g"
        )
        total, bad_count = cursor.fetchall()[0]
        found: list[Incomplete] = []
        if bad_count:
            cursor.execute(
                f"SELECT o FROM ({grouped}) g WHERE lo <> 1 OR hi <> n LIMIT %s", (limit,)
            )
            for (appeal_id,) in cursor.fetchall():
                cursor.execute(
                    f"SELECT originator_version, notification_id FROM {self.events} "
                    "WHERE originator_id = %s ORDER BY originator_version",
                    (appeal_id,),
                )
                found.append((str(appeal_id), [(int(v), int(n)) for v, n in cursor.fetchall()]))
        return int(total), found

    def level_digests(self) -> dict[int, tuple[bytes, int]]:
        found = {}
        with self._side() as cursor:  # index lookups: counting by level would scan every node
            cursor.execute(f"SELECT min(level), max(level) FROM {NODES}")
            low, high = cursor.fetchall()[0]
            for level in range(low or 0, high + 1 if high is not None else 0):
                digest, count, start, last = hashlib.sha256(), 0, 0, -1
                while True:  # pages of [start, start + NODE_PAGE) until one is not full
                    cursor.execute(LEVEL_PAGE, (level, start, start + NODE_PAGE))
                    size, top, hashes = cursor.fetchall()[0]
                    digest.update(bytes(hashes or b""))
                    count, start = count + int(size), start + NODE_PAGE
                    last = last if top is None else int(top)
                    if size < NODE_PAGE:
                        break
                cursor.execute(
                    f"SELECT count(*) FROM {NODES} WHERE level = %s AND (idx < 0 OR idx >= %s)",
                    (level, start),
                )
                count += int(cursor.fetchall()[0][0])
                if last != count - 1:
                    digest.update(b"!")  # a gap in the indices: matches no level
                if count:
                    found[int(level)] = (digest.digest(), count)
        return found


def _begin_snapshot(connection: Connection[Any], snapshot_id: str | None) -> str:
    """Make the open transaction a read-only snapshot (exported, or imported from another)."""
    connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    if snapshot_id is not None:
        connection.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot_id)))
    # Pages are short index range scans: without fresh statistics the planner may sort the
    # whole table per page, and compiling a plan costs more than running it.
    for setting in ("jit", "enable_bitmapscan", "enable_sort"):
        connection.execute(f"SET LOCAL {setting} = off")
    connection.execute("SET LOCAL work_mem = '64MB'")  # joined pages sort in memory
    connection.execute("SET LOCAL client_encoding = 'UTF8'")  # what ``textsend`` gives
    row = connection.execute("SELECT pg_export_snapshot()").fetchone()
    assert row is not None
    return str(row[0] if isinstance(row, tuple) else next(iter(row.values())))
