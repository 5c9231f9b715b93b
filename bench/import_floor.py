"""The raw driver's loads, and the floor under any import written in Python.

``bench.import`` sets our import beside the raw driver loading rows already built
(``load_sqlite``/``load_postgres`` given the stored rows). The floor is the step between
the two: a loader that checks no rule, sorts nothing, seals nothing and keeps no audit
log, and only parses each JSON line (``orjson``), builds the event's row from it (appeal
id, version, topic, the fields with the business time and the actor as JSON) and loads
the rows with the same driver call (``floor_rows`` given to the same loaders). No import
that reads the file in Python can be faster than this, so ``floor/raw`` is the most any
ratio ``ours/raw`` can reach on the same machine.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import psycopg

Row = tuple[Any, int, str, bytes]
COLUMNS = "(originator_id, originator_version, topic, state)"


def floor_rows(path: Path, identity: Callable[[str], Any]) -> list[Row]:
    """Each line's row: ``identity`` turns the appeal id into the driver's type."""
    rows: list[Row] = []
    with path.open("rb") as lines:
        for line in lines:
            event = orjson.loads(line)
            at = datetime.fromisoformat(event["at"])
            state = dict(event["fields"])
            actor = event.get("actor") or {}
            state.update(at=at, actor_id=actor.get("id"), actor_role=actor.get("role"))
            rows.append(
                (
                    identity(event["appeal_id"]),
                    event["version"],
                    f"appeals:Appeal.{event['type'].title().replace('_', '')}",
                    orjson.dumps(state),
                )
            )
    return rows


def load_sqlite(database: Path, ddl: str, name: str, rows: Callable[[], list[Row]]) -> float:
    """Rows/s of building ``rows()`` and ``executemany`` of them in one transaction into
    a new table ``name`` made by ``ddl``."""
    with closing(sqlite3.connect(database, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(ddl)
        started = time.perf_counter()
        loaded = rows()
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {name} {COLUMNS} VALUES (?, ?, ?, ?)", loaded)
        conn.execute("COMMIT")
        return len(loaded) / (time.perf_counter() - started)


def load_postgres(url: str, table: str, name: str, rows: Callable[[], list[Row]]) -> float:
    """Rows/s of building ``rows()`` and a binary ``COPY`` of them into a new table
    ``name`` like ``table``."""
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        loaded = rows()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {name} {COLUMNS} FROM STDIN (FORMAT binary)") as copy,
        ):
            copy.set_types(["uuid", "bigint", "text", "bytea"])
            for row in loaded:
                copy.write_row(row)
        conn.commit()
        return len(loaded) / (time.perf_counter() - started)
