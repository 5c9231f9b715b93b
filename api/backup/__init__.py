"""Backup and verified restore of a whole store, as one consistent snapshot.

PostgreSQL is copied with ``pg_dump`` (custom format, one snapshot) and put back with
``pg_restore`` in one transaction; SQLite with its online backup API. A restore goes only
into an empty store; afterwards the audit log is caught up, so ``appeals verify`` passes and
any checkpoint signed before the backup can be proved a prefix of the restored log.
"""

from __future__ import annotations

from api.backup.errors import BackupError
from api.backup.extension import CheckpointExtension, prove_extends
from api.backup.restore import RestoreSummary, restore_backup
from api.backup.snapshot import BackupSummary, take_backup

__all__ = [
    "BackupError",
    "BackupSummary",
    "CheckpointExtension",
    "RestoreSummary",
    "prove_extends",
    "restore_backup",
    "take_backup",
]
