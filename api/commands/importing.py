"""``appeals import FILE``: load appeal histories from a file, checked by the ledger's rules."""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from pathlib import Path

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from api.bootstrap import build
from api.commands.options import Subparsers
from api.runtime.importing import FORMATS, ErrorsFile, ImportOptions, run_import
from api.settings import Settings
from migration.record import Refusal
from migration.summary import Summary

SHOWN = 20


def register(subs: Subparsers) -> None:
    """Add ``import`` to the command line."""
    cmd = subs.add_parser(
        "import",
        help="import appeal histories from a JSON Lines or CSV file",
        description="Import appeal histories. JSON Lines: one event per line, lines of one "
        "appeal anywhere in the file (see README, 'Import and export'). CSV: one row per "
        "appeal, in the regional centres' shape. Every event goes through the same rules "
        "as a live command; an appeal with any refused line is not written at all, the "
        "others are. A re-run records nothing new; a file that continues an earlier one "
        "appends only the new events. Exit code 1 when any line was refused.",
    )
    cmd.add_argument("file", type=Path, help="the file to import")
    cmd.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="file format (default: from the file name, .csv or else jsonl)",
    )
    cmd.add_argument(
        "--actor",
        type=actor_id,
        default="migration",
        help="actor id recorded on events whose line names none (role system; default migration)",
    )
    cmd.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    cmd.add_argument(
        "--errors",
        type=Path,
        default=None,
        help="write refused lines to this CSV file (line, appeal, field, reason)",
    )
    cmd.add_argument(
        "--encoding",
        type=encoding,
        default=None,
        help="CSV encoding (default: UTF-8 if the file is valid UTF-8, else Windows-1251)",
    )
    cmd.add_argument("--json", action="store_true", help="print the summary as JSON")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.set_defaults(handler=run)


def encoding(value: str) -> str:
    """A text encoding Python knows (cp1251, utf-8, koi8-r, ...)."""
    try:
        return codecs.lookup(value).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a known encoding") from None


def actor_id(value: str) -> str:
    """An actor id of 1-200 characters."""
    if not 1 <= len(value.strip()) <= 200:
        raise argparse.ArgumentTypeError("must be 1-200 characters")
    return value.strip()


def run(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"appeals: {path}: no such file", file=sys.stderr)
        return 2
    if args.errors is not None and not args.errors.parent.is_dir():
        print(f"appeals: --errors: no such directory: {args.errors.parent}", file=sys.stderr)
        return 2
    options = ImportOptions(
        format=args.format or ("csv" if path.suffix.lower() == ".csv" else "jsonl"),
        actor=args.actor,
        dry_run=args.dry_run,
        encoding=args.encoding,
        time_reason=f"migration:{path.name}",
    )
    shown: list[Refusal] = []
    errors_stream = args.errors.open("w", encoding="utf-8", newline="") if args.errors else None
    errors = ErrorsFile(errors_stream) if errors_stream else None

    def refused(refusal: Refusal) -> None:
        if errors is not None:
            errors.write(refusal)
        elif len(shown) < SHOWN:
            shown.append(refusal)

    container = build(settings)
    columns = (
        TextColumn("import"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    try:
        with Progress(*columns, disable=args.quiet, transient=True) as bar, path.open("rb") as f:
            # Reading is measured in bytes; a JSON Lines file is then applied line by line.
            task = bar.add_task("reading", total=max(path.stat().st_size, 1))

            def counted(lines: int) -> None:
                # A CSV row is applied as it is read: its batches' summaries say the lines.
                if options.format == "csv":
                    bar.update(task, completed=f.tell())
                else:
                    bar.update(task, completed=f.tell(), description=f"{lines:,} lines read")

            def progress(summary: Summary) -> None:
                if options.format == "csv" and not f.closed:
                    bar.update(task, completed=f.tell(), description=_progress(summary))
                    return
                done = summary.events_written + summary.events_already_stored
                bar.update(
                    task,
                    total=max(summary.lines, 1),
                    completed=done + summary.refused_lines,
                    description=_progress(summary),
                )

            summary = run_import(
                container, f, options, refused=refused, progress=progress, counted=counted
            )
    finally:
        container.close()
        if errors_stream is not None:
            errors_stream.close()
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        print(("dry run: " if options.dry_run else "") + summary.sentence())
    for refusal in shown:
        print(
            f"  line {refusal.line} {refusal.appeal} {refusal.field}: {refusal.reason}",
            file=sys.stderr,
        )
    if not summary.ok and errors is None and summary.refused_lines > len(shown):
        print(
            f"  ... {summary.refused_lines - len(shown)} more: use --errors FILE", file=sys.stderr
        )
    return 0 if summary.ok else 1


def _progress(summary: Summary) -> str:
    seconds = max(summary.seconds, 1e-9)
    return (
        f"{summary.lines:,} lines {summary.lines / seconds:,.0f}/s "
        f"{summary.appeals:,} appeals {summary.appeals / seconds:,.0f}/s "
        f"{summary.events_written:,} events {summary.events_written / seconds:,.0f}/s "
        f"{summary.appeals_refused:,} refused"
    )
