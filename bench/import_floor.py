"""The floor under any import written in Python: read each line, build its row, load it.

``bench.import`` sets our import beside the raw driver loading rows already built. This is
the step between the two: a loader that checks no rule, sorts nothing, seals nothing and
keeps no audit log, and only parses each JSON line (``orjson``), builds the event's row
from it (appeal id, version, topic, the fields with the business time and the actor as
JSON) and loads the rows with the same driver call as the raw measurement. No import that
reads the file in Python can be faster than this, so ``floor/raw`` is the most any ratio
``ours/raw`` can reach on the same machine.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import psycopg

Row = tuple[Any, int, str, bytes]


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


def floor_sqlite(path: Path, ddl: str, folder: Path) -> float:
    """Rows/s of the floor into SQLite: ``executemany`` in one transaction, as the raw one."""
    with closing(sqlite3.connect(folder / "floor.db", isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(ddl)
        started = time.perf_counter()
        rows = floor_rows(path, lambda appeal_id: appeal_id.replace("-", ""))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO floor_events (originator_id, originator_version, topic, state)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
        return len(rows) / (time.perf_counter() - started)


def floor_postgres(path: Path, url: str, table: str) -> float:
    """Rows/s of the floor into PostgreSQL: a binary ``COPY``, as the raw one."""
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE floor_events (LIKE {table} INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        rows = floor_rows(path, UUID)
        with (
            conn.cursor() as cursor,
            cursor.copy(
                "COPY floor_events (originator_id, originator_version, topic, state) "
                "FROM STDIN (FORMAT binary)"
            ) as copy,
        ):
            copy.set_types(["uuid", "bigint", "text", "bytea"])
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return len(rows) / (time.perf_counter() - started)
