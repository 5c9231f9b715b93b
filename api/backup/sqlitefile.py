"""SQLite stores: copied page by page with SQLite's online backup API.

One ``backup`` step copies the whole database inside one read transaction, so writers in
other processes go on (the store runs in WAL mode) and the copy is the database as of one
commit. A backup is itself a SQLite database file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from api.backup.contents import Contents, read_contents
from api.backup.errors import BackupError

MAGIC = b"SQLite format 3\x00"


def tables_of(conn: sqlite3.Connection) -> set[str]:
    """The names of the database's own tables."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(name) for (name,) in rows if not str(name).startswith("sqlite_")}


def contents_of(conn: sqlite3.Connection, events_table: str) -> Contents:
    """What the database holds."""
    return read_contents(
        lambda sql: conn.execute(sql).fetchone(), tables_of(conn), events_table, "rowid"
    )


def back_up(store: Path, output: Path, events_table: str, timeout: float) -> Contents:
    """Copy the store into ``output`` (written whole, then renamed into place)."""
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(store, timeout=timeout)) as source,
            contextlib.closing(sqlite3.connect(partial)) as target,
        ):
            source.backup(target)  # every page in one step: one consistent snapshot
            (check,) = target.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError("BACKUP_FAILED", f"the copy does not check: {check}")
            contents = contents_of(target, events_table)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError("BACKUP_FAILED", f"SQLite backup failed: {error}") from None
    partial.replace(output)
    return contents


def contents(store: Path, events_table: str) -> Contents:
    """What the store holds now."""
    with contextlib.closing(sqlite3.connect(store)) as conn:
        return contents_of(conn, events_table)


def restore(backup: Path, store: Path) -> None:
    """Copy the backup into ``store``, which must be missing or hold no tables."""
    store.parent.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source:
            (check,) = source.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError("BACKUP_UNREADABLE", f"{backup} does not check: {check}")
            with contextlib.closing(sqlite3.connect(store)) as target:
                present = tables_of(target)
                if present:
                    raise not_empty(str(store), present)
                source.backup(target)
    except sqlite3.DatabaseError as error:
        raise BackupError("BACKUP_UNREADABLE", f"{backup}: {error}") from None


def not_empty(where: str, tables: set[str]) -> BackupError:
    """The refusal to restore over data."""
    shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
    return BackupError(
        "RESTORE_TARGET_NOT_EMPTY",
        f"{where} is not empty (it has tables {shown}): restore only into an "
        "empty store, never over data",
        tables=len(tables),
    )
