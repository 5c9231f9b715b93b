"""PostgreSQL stores: ``pg_dump`` in one exported snapshot, ``pg_restore`` in one transaction.

The backup opens a repeatable-read transaction, exports its snapshot, counts what it sees
and has ``pg_dump --snapshot`` copy exactly that: the counts printed are the dump's. The
dump is the database's every table, sequence, function and type (the store owns its
database). The restore runs in a single transaction, so a failure leaves the target empty.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from api.backup import pgtools
from api.backup.contents import Contents, read_contents
from api.backup.errors import BackupError
from api.backup.sqlitefile import not_empty
from api.storage.store import Store

MAGIC = b"PGDMP"
TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%'"
)


def _contents(conn: psycopg.Connection[tuple[object, ...]], events_table: str) -> Contents:
    tables = {str(name) for (name,) in conn.execute(TABLES).fetchall()}
    return read_contents(
        lambda sql: conn.execute(sql).fetchone() or (), tables, events_table, "notification_id"
    )


def contents(store: Store, events_table: str) -> Contents:
    """What the store's database holds now."""
    with psycopg.connect(store.conninfo, connect_timeout=store.connect_timeout) as conn:
        return _contents(conn, events_table)


def back_up(store: Store, output: Path, events_table: str, bin_dir: str = "") -> Contents:
    """Dump the store into ``output`` (written whole, then renamed into place)."""
    dump = pgtools.program("pg_dump", pgtools.server_major(store), bin_dir)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    with psycopg.connect(store.conninfo, connect_timeout=store.connect_timeout) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        contents = _contents(conn, events_table)
        try:
            pgtools.run(
                [
                    str(dump),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={row[0]}",
                    "--file",
                    str(partial),
                ],
                store,
                what="pg_dump",
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        conn.rollback()
    partial.replace(output)
    return contents


def restore(backup: Path, store: Store, bin_dir: str = "") -> None:
    """Restore the dump into the store's database, which must hold no tables."""
    with psycopg.connect(store.conninfo, connect_timeout=store.connect_timeout) as conn:
        present = {str(name) for (name,) in conn.execute(TABLES).fetchall()}
    if present:
        raise not_empty(f"database {store.env['POSTGRES_DBNAME']}", present)
    tool = pgtools.program("pg_restore", pgtools.server_major(store), bin_dir)
    pgtools.run(
        [
            str(tool),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(backup),
        ],
        store,
        what="pg_restore",
    )


def check_readable(backup: Path, store: Store, bin_dir: str = "") -> None:
    """Refuse a damaged dump before touching the store (``pg_restore --list`` reads its TOC)."""
    tool = pgtools.program("pg_restore", pgtools.server_major(store), bin_dir)
    try:
        pgtools.run(
            [str(tool), "--list", str(backup)], store, what="pg_restore --list", connect=False
        )
    except BackupError as error:
        raise BackupError("BACKUP_UNREADABLE", f"{backup}: {error}") from None
