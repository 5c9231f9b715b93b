"""``appeals run``: the main job of ``make run``: demo data, keys and a checkpoint, then serve."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from api.bootstrap import audit_service, build
from api.commands.demo import load_demo
from api.commands.options import Subparsers, add_listen, at_least
from api.commands.serve import run_serve
from api.settings import Settings
from audit.errors import AuditError
from audit.keyfiles import PRIVATE_KEY, PUBLIC_KEY, generate_keys, load_public_key
from audit.service import AuditService
from ledger.verify import fingerprint


def register(subs: Subparsers) -> None:
    """Add ``run`` to the command line."""
    cmd = subs.add_parser(
        "run",
        help="load demo data into an empty store, sign a checkpoint, then serve the API",
        description="Load demo appeals if the store is empty, create the checkpoint keys if "
        "there are none, sign a first checkpoint if there is none, then serve the GraphQL API "
        "(GraphiQL in the browser at /graphql). Mint a token with `appeals token issue`.",
    )
    cmd.add_argument(
        "--demo-appeals", type=at_least(0), default=2000, help="appeals to load (default 2000)"
    )
    add_listen(cmd, 8000)
    cmd.set_defaults(handler=run_main, workers=1)


def run_main(args: argparse.Namespace, settings: Settings) -> int:
    try:
        with closing(build(settings)) as container:
            if container.ledger.recorder.max_notification_id() is None:
                print(f"store is empty: loading {args.demo_appeals} demo appeals", flush=True)
                load_demo(
                    container,
                    args.demo_appeals,
                    seed=1,
                    until=None,
                    surge=args.demo_appeals // 30,
                    clusters=args.demo_appeals // 100,
                )
            prepare_audit(audit_service(settings, container))
    except AuditError as error:
        print(f"appeals: {error}", file=sys.stderr)
        return 2
    print("mint a token with: .venv/bin/appeals token issue --role supervisor", flush=True)
    return run_serve(args, settings)


def prepare_audit(audit: AuditService) -> None:
    """Create the key pair and a first checkpoint if missing, so proofs work from the start."""
    keys_dir: Path = audit.config.keys_dir
    if not (keys_dir / PRIVATE_KEY).exists() and not (keys_dir / PUBLIC_KEY).exists():
        _, public = generate_keys(keys_dir)
        print(f"created checkpoint keys in {keys_dir}; public key {public}", flush=True)
    if audit.latest_checkpoint() is None:
        first = audit.sign_checkpoint()
        assert first is not None  # only_if_grown is off: a checkpoint is always signed
        print(f"signed a first checkpoint of {first.size} events", flush=True)
    key = fingerprint(load_public_key(keys_dir))
    print(f"checkpoints are signed by {key}: /ledger/public-key serves the key", flush=True)
