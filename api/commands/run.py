"""``appeals run``: the main job of ``make run``: demo data into an empty store, then serve."""

from __future__ import annotations

import argparse

from api.commands.demo import load_demo
from api.commands.options import at_least, port
from api.commands.serve import run_serve
from api.container import build
from api.settings import Settings


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run`` to the command line."""
    cmd = subs.add_parser(
        "run", help="load demo data into an empty store, then serve the API",
        description="Load demo appeals if the store is empty, then serve the GraphQL API "
        "(GraphiQL in the browser at /graphql). Mint a token with `appeals token issue`.",
    )  # fmt: skip
    cmd.add_argument(
        "--demo-appeals", type=at_least(0), default=2000, help="appeals to load (default 2000)"
    )
    cmd.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    cmd.add_argument("--port", type=port, default=8000, help="port (default 8000)")
    cmd.set_defaults(handler=run_main, workers=1)


def run_main(args: argparse.Namespace, settings: Settings) -> int:
    container = build(settings)
    try:
        if container.ledger.recorder.max_notification_id() is None:
            print(f"store is empty: loading {args.demo_appeals} demo appeals", flush=True)
            load_demo(container, args.demo_appeals, seed=1, until=None)
    finally:
        container.close()
    print("mint a token with: .venv/bin/appeals token issue --role supervisor", flush=True)
    return run_serve(args, settings)
