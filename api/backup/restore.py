"""``restore_backup``: a backup into an empty store, then the audit log caught up.

The kind of a backup is read from its first bytes (a SQLite file or a ``pg_dump`` archive),
so a PostgreSQL dump is never fed to a SQLite store or the reverse. After the copy the read
side's tables are set up (nothing to do when the backup has them) and the audit log catches
up with the events the backup holds that were not logged yet when it was taken (writes in
flight), so ``appeals verify`` passes without ``--allow-pending``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from api.backup import pgdump, sqlitefile
from api.backup.contents import Contents
from api.backup.errors import BackupError
from api.bootstrap import build, read_side
from api.settings import Settings
from api.storage.store import check_reachable, parse_store
from audit.service import AuditConfig, AuditService


@dataclass(frozen=True)
class RestoreSummary:
    """What the store holds after the restore, and what the restore did beyond the copy."""

    kind: str
    contents: Contents
    logged: int
    seconds: float


def kind_of(backup: Path) -> str:
    """``sqlite`` or ``postgresql``, from the file's first bytes."""
    try:
        with backup.open("rb") as handle:
            head = handle.read(len(sqlitefile.MAGIC))
    except OSError as error:
        raise BackupError("BACKUP_UNREADABLE", f"cannot read {backup}: {error.strerror}") from None
    if head.startswith(sqlitefile.MAGIC):
        return "sqlite"
    if head.startswith(pgdump.MAGIC):
        return "postgresql"
    raise BackupError(
        "BACKUP_UNREADABLE", f"{backup} is neither a SQLite backup nor a pg_dump archive"
    )


def restore_backup(settings: Settings, backup: Path, audit: AuditConfig) -> RestoreSummary:
    """Restore ``backup`` into the (empty) store the settings name."""
    started = time.perf_counter()
    kind = kind_of(backup)
    store = parse_store(str(settings.database_url), connect_timeout=settings.db_connect_timeout)
    if kind != store.kind:
        raise BackupError(
            "BACKUP_STORE_MISMATCH",
            f"{backup} is a {kind} backup and the store is {store.kind}: restore "
            "into a store of the same kind",
        )
    check_reachable(store)
    if store.path is not None:
        sqlitefile.restore(backup, store.path)
    else:
        pgdump.check_readable(backup, store, settings.pg_bin_dir)
        pgdump.restore(backup, store, settings.pg_bin_dir)
    container = build(settings)
    try:
        read_side(container).runner.setup()
        logged = AuditService(container, audit).catch_up()
        if store.path is not None:
            contents = sqlitefile.contents(store.path, container.events_table)
        else:
            contents = pgdump.contents(store, container.events_table)
    finally:
        container.close()
    return RestoreSummary(kind, contents, logged, time.perf_counter() - started)
