"""``appeals demo``: load realistic synthetic appeals in large batches."""

from __future__ import annotations

import argparse
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from api.bootstrap import build, sealing_with
from api.commands.options import Subparsers, at_least
from api.container import Container
from api.settings import Settings
from demo.generator import DemoOptions, generate
from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import BufferedKeyStore, CitizenVault
from migration.demo_csv import write_demo_csv

BATCH = 2000


def register(subs: Subparsers) -> None:
    """Add ``demo`` to the command line."""
    cmd = subs.add_parser(
        "demo",
        help="generate synthetic appeals",
        description="Generate realistic synthetic appeals (Russian texts, real channel mix, "
        "forwarded/extended/reopened/rated cases). Deterministic for a seed and end date; "
        "re-running with the same seed records nothing new.",
    )
    cmd.add_argument(
        "--appeals", type=at_least(1), default=1000, help="how many appeals (default 1000)"
    )
    cmd.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    cmd.add_argument(
        "--surge",
        type=at_least(0),
        default=0,
        help="also plant this many appeals as growing problems in the last 6 days, for "
        "`hotspots` to find (default 0)",
    )
    cmd.add_argument(
        "--clusters",
        type=at_least(0),
        default=0,
        help="also plant this many problems reported 2-4 times in different words, for "
        "`Appeal.similar` to find (default 0)",
    )
    cmd.add_argument(
        "--until",
        type=_date,
        default=None,
        help="end of the 90-day window, YYYY-MM-DD (default: today, UTC)",
    )
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.add_argument(
        "--csv",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the appeals to FILE as a regional centre's CSV (Windows-1251, ';', local "
        "times, with a few faulty rows) instead of storing them; see `appeals import`",
    )
    cmd.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    if args.csv is not None:
        return write_csv(args, settings)
    with closing(build(settings)) as container:
        loaded = load_demo(
            container,
            args.appeals,
            args.seed,
            args.until,
            quiet=args.quiet,
            surge=args.surge,
            clusters=args.clusters,
        )
    print(f"recorded {loaded} new appeals")
    return 0


def load_demo(
    container: Container,
    appeals: int,
    seed: int,
    until: datetime | None,
    *,
    quiet: bool = False,
    surge: int = 0,
    clusters: int = 0,
) -> int:
    """Generate and save appeals in batches; returns how many were new."""
    end = until or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    buffered = BufferedKeyStore()
    ledger = sealing_with(container, CitizenVault(buffered))
    new = 0
    columns = (
        TextColumn("demo"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[rate]} appeals/s"),
    )
    with Progress(*columns, disable=quiet) as progress:
        task = progress.add_task("demo", total=appeals + surge, rate="-")
        batch = []
        options = DemoOptions(appeals=appeals, seed=seed, until=end, surge=surge, clusters=clusters)
        for appeal in generate(ledger, options):
            batch.append(appeal)
            if len(batch) == BATCH:
                new += _save(container, ledger, batch, buffered)
                progress.update(task, advance=len(batch), rate=_rate(progress, task))
                batch = []
        new += _save(container, ledger, batch, buffered)
        progress.update(task, advance=len(batch), rate=_rate(progress, task))
    return new


def _save(
    container: Container, ledger: AppealsLedger, batch: list[Appeal], buffered: BufferedKeyStore
) -> int:
    keys = buffered.drain()
    if not batch:
        return 0
    container.keys.put_many(keys)
    return ledger.record_batch(batch)


def _rate(progress: Progress, task_id: TaskID) -> str:
    task = progress.tasks[task_id]
    return f"{task.speed:,.0f}" if task.speed else "-"


def write_csv(args: argparse.Namespace, settings: Settings) -> int:
    """``--csv``: the centres' file from the generator; the store is not touched."""
    end = args.until or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    options = DemoOptions(appeals=args.appeals, seed=args.seed, until=end, days=365)
    with args.csv.open("w", encoding="cp1251", errors="replace", newline="") as out:
        faults = write_demo_csv(out, options, ZoneInfo(settings.timezone))
    print(
        f"wrote {args.appeals:,} appeals to {args.csv} (Windows-1251, ';'); faulty rows: "
        f"{len(faults.missing_receipt)} without a receipt time, "
        f"{len(faults.answer_before_receipt)} answered before receipt, "
        f"{len(faults.duplicated)} duplicated; {faults.semicolons} texts with ';'"
    )
    return 0


def _date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
