"""``appeals projections run|rebuild [NAME]|status``: operate the read side."""

from __future__ import annotations

import argparse
import signal
import threading
from contextlib import closing
from types import FrameType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from api.bootstrap import build, read_side
from api.commands.options import Subparsers, add_group, at_least
from api.settings import Settings
from projections.runner import Worker

NAMES = ("appeals", "statistics", "workload")


def register(subs: Subparsers) -> None:
    """Add ``projections`` and its sub-commands to the command line."""
    actions = add_group(
        subs,
        "projections",
        help="run, rebuild or inspect the read-side views",
        description="Operate the views built from the event log.",
    )
    run = actions.add_parser("run", help="follow the log until SIGINT/SIGTERM")
    run.add_argument("--batch", type=at_least(1), default=10_000, help="events per batch")
    run.set_defaults(handler=run_worker)
    rebuild = actions.add_parser("rebuild", help="drop views and rebuild them from the log")
    rebuild.add_argument("name", nargs="?", choices=NAMES, help="one view (default: all)")
    rebuild.add_argument("--batch", type=at_least(1), default=20_000, help="events per batch")
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
    rebuild.set_defaults(handler=run_rebuild)
    status = actions.add_parser("status", help="each view's position, the log head and lag")
    status.set_defaults(handler=run_status)


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        worker: Worker = read_side(container, batch_size=args.batch).worker()
        stopped = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            worker.stop(timeout=0)
            stopped.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        worker.start()
        stopped.wait()
        worker.stop()
    return 0


def run_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        side = read_side(container, batch_size=args.batch)
        side.runner.setup()
        head = side.read_models.head()
        columns = (
            TextColumn("rebuild"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[rate]} events/s"),
        )
        with Progress(*columns, disable=args.quiet) as progress:
            task = progress.add_task("rebuild", total=head, rate="-")

            def advance(events: int, position: int) -> None:
                speed = progress.tasks[task].speed
                progress.update(task, completed=position, rate=f"{speed:,.0f}" if speed else "-")

            replayed = side.runner.rebuild([args.name] if args.name else None, advance)
            progress.update(task, completed=head)
        print(f"rebuilt {args.name or 'all views'}: {replayed} events replayed")
    return 0


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        side = read_side(container)
        side.runner.setup()
        head = side.read_models.head()
        table = Table("projection", "position", "head", "lag")
        for name, position in side.read_models.positions().items():
            table.add_row(name, str(position), str(head), str(max(head - position, 0)))
        Console().print(table)
    return 0
