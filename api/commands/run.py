"""``appeals run``: the main job of ``make run``."""

from __future__ import annotations

import argparse
from uuid import UUID

from api.commands.demo import load_demo
from api.commands.history import render_history
from api.container import build
from api.settings import Settings


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run`` to the command line."""
    cmd = subs.add_parser(
        "run",
        help="load demo data into an empty store, then run the main job",
        description="Load 2,000 demo appeals if the store is empty, then print one demo "
        "appeal's history.",
    )
    cmd.add_argument(
        "--demo-appeals", type=int, default=2000, help="appeals to load (default 2000)"
    )
    cmd.set_defaults(handler=run_main)


def run_main(args: argparse.Namespace, settings: Settings) -> int:
    container = build(settings)
    try:
        if container.ledger.recorder.max_notification_id() is None:
            print(f"store is empty: loading {args.demo_appeals} demo appeals")
            load_demo(container, args.demo_appeals, seed=1, until=None)
        last = container.ledger.recorder.select_notifications(
            start=None, limit=1, stop=None, inclusive_of_start=True
        )
        appeal_id = UUID(str(last[0].originator_id))
        print(render_history(container.ledger, appeal_id))
    finally:
        container.close()
    return 0
