"""Why a backup or a restore cannot be done: a code for programs, a sentence for people."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore refused or failed; nothing was half-written.

    Codes: ``RESTORE_TARGET_NOT_EMPTY`` (the store to restore into has tables),
    ``BACKUP_STORE_MISMATCH`` (a PostgreSQL dump for a SQLite store, or the reverse),
    ``BACKUP_UNREADABLE`` (not a backup this command wrote, or damaged),
    ``BACKUP_TOOL_MISSING`` (no ``pg_dump``/``pg_restore`` for the server's version),
    ``BACKUP_FAILED`` (the copy itself failed; its tool's first line says why).
    """

    def __init__(self, code: str, message: str, **context: object) -> None:
        super().__init__(message)
        self.code = code
        self.context = context
