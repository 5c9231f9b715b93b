"""The whole log, appeal by appeal, up to a fixed head: what a rebuild folds in one pass.

Events come in ``(originator_id, originator_version)`` order, the primary key of the events
table, so each appeal's history arrives in one piece and is written once; memory holds one
page, never all appeals. On PostgreSQL a reader thread streams pages from a server-side
binary cursor in a ``REPEATABLE READ`` snapshot (the head is read in the same snapshot) while
the caller folds and writes the previous page, so database time and Python time overlap.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.decoding import RawRow

Pages = Iterator[list[RawRow]]

_DONE = object()


@contextmanager
def postgres_pages(
    datastore: PostgresDatastore, events_table: str, page: int
) -> Iterator[tuple[int, Pages]]:
    """The head and the pages of events up to it, read ahead by one thread."""
    table = Identifier(events_table)
    head_sql = SQL("SELECT COALESCE(max(notification_id), 0) FROM {}").format(table)
    rows_sql = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
        "WHERE notification_id <= %s ORDER BY originator_id, originator_version"
    ).format(table)
    ahead: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            with datastore.get_connection() as conn, conn.transaction():
                with conn.cursor(row_factory=tuple_row) as first:
                    first.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    first.execute(head_sql)
                    head = int(first.fetchone()[0])  # type: ignore[index]
                ahead.put(head)
                with conn.cursor(
                    name="appeal_stream", binary=True, row_factory=tuple_row
                ) as cursor:
                    cursor.execute(rows_sql, (head,))
                    while not stop.is_set():
                        rows = cursor.fetchmany(page)
                        if not rows:
                            break
                        ahead.put(rows)
        except BaseException as error:  # noqa: BLE001 - the consumer re-raises it
            ahead.put(error)
        ahead.put(_DONE)

    def pages() -> Pages:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    reader = threading.Thread(target=read, name="appeal-stream", daemon=True)
    reader.start()
    try:
        first = ahead.get()
        if isinstance(first, BaseException):
            raise first
        yield int(first), pages()
    finally:
        stop.set()
        while reader.is_alive():
            with suppress(queue.Empty):
                ahead.get(timeout=0.05)
        reader.join()


def sqlite_pages(cursor: Any, events_table: str, page: int) -> tuple[int, Pages]:
    """The head and keyset pages of events up to it, read on the writer's own cursor."""
    cursor.execute(f"SELECT COALESCE(max(rowid), 0) FROM {events_table}")
    head = int(cursor.fetchone()[0])
    select = (
        f"SELECT rowid, originator_id, originator_version, topic, state FROM {events_table} "
        "WHERE rowid <= ? AND (originator_id > ? OR (originator_id = ? AND originator_version > ?)) "
        "ORDER BY originator_id, originator_version LIMIT ?"
    )

    def pages() -> Pages:
        key: tuple[Any, int] = ("", 0)
        while True:
            cursor.execute(select, (head, key[0], key[0], key[1], page))
            rows = [tuple(r) for r in cursor.fetchall()]
            if not rows:
                return
            key = (rows[-1][1], rows[-1][2])
            yield [(p, UUID(o), v, t, bytes(s)) for p, o, v, t, s in rows]

    return head, pages()
