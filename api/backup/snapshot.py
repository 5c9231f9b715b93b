"""``take_backup``: one consistent copy of the whole store in one file."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from api.backup import pgdump, sqlitefile
from api.backup.contents import Contents
from api.backup.errors import BackupError
from api.bootstrap import build
from api.settings import Settings


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds, where, and what it cost."""

    kind: str
    path: Path
    contents: Contents
    size_bytes: int
    seconds: float


def take_backup(settings: Settings, output: Path, *, force: bool = False) -> BackupSummary:
    """Copy the store into ``output``; an existing file is replaced only with ``force``."""
    if output.exists() and not force:
        raise BackupError("BACKUP_EXISTS", f"{output} exists: pass --force to replace it")
    if not output.parent.is_dir():
        raise BackupError("BACKUP_FAILED", f"no directory {output.parent} to write into")
    started = time.perf_counter()
    container = build(settings)
    try:
        store, table = container.store, container.events_table
        if store.path is not None:
            wait = store.statement_timeout or 86400.0
            contents = sqlitefile.back_up(store.path, output, table, wait)
        else:
            contents = pgdump.back_up(store, output, table, settings.pg_bin_dir)
    finally:
        container.close()
    return BackupSummary(
        store.kind, output, contents, output.stat().st_size, time.perf_counter() - started
    )
