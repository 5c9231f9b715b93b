"""``appeals export -o FILE``: every stored event as JSON Lines, with its log position."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.bootstrap import build
from api.commands.options import Subparsers, at_least
from api.settings import Settings
from api.storage.exportsource import SqlExportSource
from migration.export import export_lines


def register(subs: Subparsers) -> None:
    """Add ``export`` to the command line."""
    cmd = subs.add_parser(
        "export",
        help="export every stored event as JSON Lines",
        description="Write every stored event in the import format (README, 'Import and "
        "export'), in log order, each with its log position, appeal id and version. Without "
        "--pii the citizen's data and the free texts are left out (such a file is for "
        "analysis; its receipts and answers cannot be imported). `appeals import` of a --pii "
        "export into an empty store rebuilds the same appeals and statistics.",
    )
    cmd.add_argument("--format", choices=("jsonl",), default="jsonl", help="file format")
    cmd.add_argument(
        "--since",
        type=at_least(0),
        default=0,
        metavar="POSITION",
        help="only events after this log position (default 0: all)",
    )
    cmd.add_argument(
        "--pii",
        action="store_true",
        help="include personal data: citizens' names and contacts and the texts",
    )
    cmd.add_argument(
        "-o", "--output", type=Path, required=True, help="file to write ('-' for standard output)"
    )
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    container = build(settings)
    to_stdout = str(args.output) == "-"
    columns = (
        TextColumn("export"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.speed} events/s"),
    )
    written = last = 0
    try:
        source = SqlExportSource(container)
        head = source.head()
        out = sys.stdout.buffer if to_stdout else args.output.open("wb")
        try:
            with Progress(*columns, disable=args.quiet or to_stdout, transient=True) as bar:
                task = bar.add_task("export", total=max(head - args.since, 0))
                for exported in export_lines(source, since=args.since, pii=args.pii):
                    out.write(exported.line)
                    out.write(b"\n")
                    written += 1
                    last = exported.position
                    if written % 5000 == 0:
                        bar.update(task, completed=last - args.since)
        finally:
            if not to_stdout:
                out.close()
    finally:
        container.close()
    if not to_stdout:
        print(
            f"wrote {written:,} events to {args.output}"
            + (f", up to position {last}: continue with --since {last}" if written else "")
        )
    return 0
