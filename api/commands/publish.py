"""``appeals audit publish --out DIR``: write the tiled log as static files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.bootstrap import build
from api.commands.options import Subparsers
from api.settings import Settings
from api.tlog.cosigned import served_checkpoint
from api.tlog.publish import publish
from api.tlog.routes import published_verifier_key
from audit.errors import AuditError
from audit.service import AuditConfig, AuditService

DEFAULTS = AuditConfig()


def register(audit_subs: Subparsers) -> None:
    """Add ``audit publish`` to the ``audit`` command."""
    cmd = audit_subs.add_parser(
        "publish",
        help="write the tiled log (C2SP tlog-tiles) as static files",
        description="Write DIR/checkpoint (the latest signed checkpoint and its witnesses' "
        "cosignatures), DIR/verifier-key and every tile and entry bundle of that checkpoint's "
        "tree under DIR/tile/, as tlog-tiles names them, for a plain web server or object "
        "store. Full tiles already in DIR are kept (they never change); the checkpoint is "
        "written last. Run `appeals checkpoint` first.",
    )
    cmd.add_argument("--out", type=Path, required=True, help="the directory to write into")
    cmd.add_argument(
        "--keys-dir",
        type=Path,
        default=None,
        help=f"key directory (default APPEALS_KEYS_DIR or {DEFAULTS.keys_dir})",
    )
    cmd.set_defaults(handler=run_publish)


def run_publish(args: argparse.Namespace, settings: Settings) -> int:
    container = build(settings)
    keys_dir = args.keys_dir or Path(settings.keys_dir)
    service = AuditService(container, AuditConfig(keys_dir=keys_dir, origin=settings.log_origin))
    try:
        latest = service.latest_checkpoint()
        vkey = published_verifier_key(service)
        if latest is None or vkey is None:
            raise AuditError(
                "no checkpoint yet: run `appeals keys generate`, then `appeals checkpoint`"
            )
        note = served_checkpoint(service, latest)
        done = publish(service.store, args.out, note, latest.size, vkey)
    except AuditError as error:
        print(f"appeals: {error}", file=sys.stderr)
        return 2
    finally:
        container.close()
    print(
        f"published tree size {done.size} to {args.out}: {done.written} tiles written, "
        f"{done.kept} full tiles already there"
    )
    return 0
