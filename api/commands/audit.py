"""``appeals keys generate``, ``appeals checkpoint``, ``appeals verify`` and ``appeals audit``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.bootstrap import build
from api.commands import publish
from api.commands.options import Subparsers, add_group, appeal_id, at_least
from api.container import Container
from api.settings import Settings
from api.tlog.cosigned import served_checkpoint
from api.tlog.witness import attach_witnesses
from audit.errors import AuditError
from audit.keyfiles import PUBLIC_KEY, generate_keys, load_public_key
from audit.service import AuditConfig, AuditService
from ledger.verify import b64, fingerprint
from ledger.verify.vkey import verifier_key

DEFAULTS = AuditConfig()
SHOWN = 20


def register(subs: Subparsers) -> None:
    """Add ``keys``, ``checkpoint``, ``verify`` and ``audit`` to the command line."""
    keys_subs = add_group(
        subs, "keys", help="manage the checkpoint signing keys", dest="keys_command"
    )
    generate = keys_subs.add_parser(
        "generate",
        help="create an Ed25519 key pair",
        description="Write checkpoint.key (PEM, mode 0600) and checkpoint.pub into DIR.",
    )
    generate.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"key directory (default APPEALS_KEYS_DIR or {DEFAULTS.keys_dir})",
    )
    generate.add_argument("--force", action="store_true", help="replace an existing key pair")
    generate.set_defaults(handler=run_generate)

    checkpoint = subs.add_parser(
        "checkpoint",
        help="sign the audit log's head",
        description="Catch the audit log up with the store, then store a signed checkpoint "
        "(a C2SP signed note) of its size and root.",
    )
    _common(checkpoint)
    checkpoint.add_argument(
        "--if-grown",
        action="store_true",
        help="sign only when the log grew since the last checkpoint",
    )
    checkpoint.set_defaults(handler=run_checkpoint)

    verify = subs.add_parser(
        "verify",
        help="re-derive the audit log from the raw tables and check everything",
        description="Hash every stored event again, compare with the stored leaves and nodes, "
        "check every checkpoint's signature and root and every appeal's versions 1..n. Exits 1 "
        "and names the first divergence on any failure.",
    )
    _common(verify)
    verify.add_argument(
        "--allow-pending", action="store_true", help="accept events written after the last catch-up"
    )
    verify.add_argument("--quiet", action="store_true", help="no progress bar")
    verify.set_defaults(handler=run_verify)

    audit_subs = add_group(
        subs, "audit", help="the audit log: catch up, export bundles", dest="audit_command"
    )
    export = audit_subs.add_parser(
        "export",
        help="write an appeal's offline-verifiable bundle",
        description="Write the appeal's events as stored, their leaves and inclusion proofs, "
        "the latest checkpoint and the public key; check it with `python -m ledger.verify`.",
    )
    _common(export)
    export.add_argument("appeal_id", type=appeal_id, help="the appeal's UUID")
    export.add_argument(
        "-o", "--output", type=Path, default=None, help="file to write (default: standard output)"
    )
    export.set_defaults(handler=run_export)
    catch_up = audit_subs.add_parser("catch-up", help="log every stored event not yet logged")
    catch_up.add_argument(
        "--batch", type=at_least(1), default=10_000, help="events per transaction"
    )
    catch_up.set_defaults(handler=run_catch_up)
    publish.register(audit_subs)


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--keys-dir",
        type=Path,
        default=None,
        help=f"key directory (default APPEALS_KEYS_DIR or {DEFAULTS.keys_dir})",
    )
    cmd.add_argument(
        "--origin",
        default=None,
        help=f"the log's name (default APPEALS_LOG_ORIGIN or {DEFAULTS.origin})",
    )


def _service(args: argparse.Namespace, settings: Settings) -> tuple[AuditService, Container]:
    container = build(settings)
    keys_dir = getattr(args, "keys_dir", None) or Path(settings.keys_dir)
    origin = getattr(args, "origin", None) or settings.log_origin
    service = AuditService(container, AuditConfig(keys_dir=keys_dir, origin=origin))
    attach_witnesses(service, settings.witnesses)
    return service, container


def _fail(error: AuditError) -> int:
    print(f"appeals: {error}", file=sys.stderr)
    return 2


def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    try:
        directory = args.dir or Path(settings.keys_dir)
        private, public = generate_keys(directory, force=args.force)
    except AuditError as error:
        return _fail(error)
    print(f"wrote {private} (keep it secret) and {public} (publish it)")
    print(f"public key fingerprint {fingerprint(load_public_key(directory))}")
    origin = settings.log_origin
    print(f"verifier key {verifier_key(origin, load_public_key(directory)).text()}")
    return 0


def run_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    service, container = _service(args, settings)
    try:
        checkpoint = service.sign_checkpoint(only_if_grown=args.if_grown)
        served = None if checkpoint is None else served_checkpoint(service, checkpoint)
    except AuditError as error:
        return _fail(error)
    finally:
        container.close()
    if served is None:
        print("the log did not grow: no checkpoint signed")
    else:
        print(served, end="")
    return 0


def run_catch_up(args: argparse.Namespace, settings: Settings) -> int:
    service, container = _service(args, settings)
    try:
        added = service.catch_up(args.batch)
        head = service.head()
    finally:
        container.close()
    print(f"logged {added} new events; size {head.size} root {b64(head.root)}")
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    service, container = _service(args, settings)
    try:
        bundle = service.export_bundle(args.appeal_id)
    except AuditError as error:
        return _fail(error)
    finally:
        container.close()
    if args.output is None:
        sys.stdout.buffer.write(bundle)
    else:
        args.output.write_bytes(bundle)
        print(
            f"wrote {args.output}: check it with `python -m ledger.verify --public-key "
            f"{service.config.keys_dir / PUBLIC_KEY} {args.output}`"
        )
    return 0


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    service, container = _service(args, settings)
    columns = (
        TextColumn("verify"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[rate]} events/s"),
    )
    started = time.perf_counter()
    try:
        with Progress(*columns, disable=args.quiet, transient=True) as bar:
            task = bar.add_task("verify", total=None, rate="-")

            def progress(done: int, total: int) -> None:
                seconds = time.perf_counter() - started
                bar.update(task, completed=done, total=total, rate=f"{done / seconds:,.0f}")

            report = service.verify(progress=progress, allow_pending=args.allow_pending)
    except AuditError as error:
        return _fail(error)
    finally:
        container.close()
    seconds = time.perf_counter() - started
    summary = (
        f"{report.events} events of {report.appeals} appeals, {report.leaves} leaves, "
        f"{report.nodes} nodes, {report.checkpoints} checkpoints in {seconds:.1f}s "
        f"({report.events / max(seconds, 1e-9):,.0f} events/s)"
    )
    if report.pending:
        summary += f"; {report.pending} events not logged yet"
    if report.ok:
        print(f"OK: {summary}; root {b64(report.root)}")
        return 0
    print(f"FAIL: {report.first}", file=sys.stderr)
    for divergence in report.divergences[1:SHOWN]:
        print(f"  also: {divergence}", file=sys.stderr)
    more = len(report.divergences) - SHOWN
    if more > 0 or report.truncated:
        print(
            f"  ... and {'at least ' if report.truncated else ''}{max(more, 0)} more",
            file=sys.stderr,
        )
    print(f"checked: {summary}", file=sys.stderr)
    return 1
