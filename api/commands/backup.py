"""``appeals backup``, ``appeals restore`` and ``appeals consistency``: the restore runbook's steps."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.backup import BackupError, prove_extends, restore_backup, take_backup
from api.bootstrap import build
from api.commands.options import Subparsers
from api.settings import Settings
from audit.keyfiles import load_public_key
from audit.service import AuditConfig, AuditService
from ledger.verify import load_public_key_pem


def register(subs: Subparsers) -> None:
    """Add ``backup``, ``restore`` and ``consistency`` to the command line."""
    backup = subs.add_parser(
        "backup",
        help="write a consistent snapshot of the whole store to a file",
        description="Copy every table of the store as of one moment: PostgreSQL with pg_dump "
        "in one snapshot (custom format; APPEALS_PG_BIN_DIR picks the programs), SQLite with "
        "its online backup API. Writers keep working meanwhile; every write acknowledged "
        "before the command started is in the file.",
    )
    backup.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    backup.set_defaults(handler=run_backup)

    restore = subs.add_parser(
        "restore",
        help="restore a backup into an empty store",
        description="Restore a file written by `appeals backup` into the store named by "
        "APPEALS_DATABASE_URL, which must be empty (a new SQLite path or a new PostgreSQL "
        "database of the same kind as the backup). Then the audit log catches up, so "
        "`appeals verify` passes. With --checkpoint, also prove the restored log extends "
        "each given signed checkpoint (one kept from before the backup).",
    )
    restore.add_argument("backup", type=Path, help="a file written by `appeals backup`")
    _checkpoint_options(restore, required=False)
    restore.set_defaults(handler=run_restore)

    consistency = subs.add_parser(
        "consistency",
        help="prove the log extends signed checkpoints kept earlier",
        description="Check each checkpoint's signature with the pinned public key, then "
        "check an RFC 9162 consistency proof from it to the log's head: the log still holds "
        "every entry the checkpoint covered, unchanged. Exits 1 if any does not hold.",
    )
    _checkpoint_options(consistency, required=True)
    consistency.set_defaults(handler=run_consistency)


def _checkpoint_options(cmd: argparse.ArgumentParser, *, required: bool) -> None:
    cmd.add_argument(
        "--checkpoint",
        type=Path,
        action="append",
        default=[],
        required=required,
        help="a signed checkpoint note (as /ledger/checkpoint served it); repeatable",
    )
    cmd.add_argument(
        "--public-key",
        type=Path,
        default=None,
        help="the pinned key as PEM (default: checkpoint.pub in APPEALS_KEYS_DIR)",
    )


def _fail(error: BackupError) -> int:
    print(f"appeals: {error.code}: {error}", file=sys.stderr)
    return 1


def _audit_config(settings: Settings) -> AuditConfig:
    return AuditConfig(Path(settings.keys_dir), settings.log_origin)


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = take_backup(settings, args.output, force=args.force)
    except BackupError as error:
        return _fail(error)
    print(
        f"wrote {summary.path} ({summary.kind}, {summary.size_bytes:,} bytes in "
        f"{summary.seconds:.1f} s): {summary.contents.describe()}"
    )
    return 0


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = restore_backup(settings, args.backup, _audit_config(settings))
    except BackupError as error:
        return _fail(error)
    print(
        f"restored {args.backup} ({summary.kind}) in {summary.seconds:.1f} s: "
        f"{summary.contents.describe()}; {summary.logged} events newly logged"
    )
    return run_consistency(args, settings) if args.checkpoint else 0


def run_consistency(args: argparse.Namespace, settings: Settings) -> int:
    config = _audit_config(settings)
    try:
        key = (
            load_public_key_pem(args.public_key.read_bytes())
            if args.public_key
            else load_public_key(config.keys_dir)
        )
    except OSError as error:
        print(f"appeals: cannot read {args.public_key}: {error.strerror}", file=sys.stderr)
        return 2
    container = build(settings)
    failed = 0
    try:
        audit = AuditService(container, config)
        for path in args.checkpoint:
            try:
                extension = prove_extends(audit, path.read_text(encoding="utf-8"), key)
            except (BackupError, OSError) as error:
                code = error.code if isinstance(error, BackupError) else "CHECKPOINT_INVALID"
                print(f"FAIL: {path}: {code}: {error}", file=sys.stderr)
                failed += 1
                continue
            print(f"OK: {path}: {extension.describe()}")
    finally:
        container.close()
    return 1 if failed else 0
