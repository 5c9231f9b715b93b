"""``appeals witness generate-key`` and ``appeals witness serve``: a minimal tlog witness."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.commands.options import Subparsers, add_group, add_listen
from api.settings import Settings
from api.tlog.witness_server import Witness, witness_app
from api.tlog.witness_state import WitnessState
from ledger.verify import VerificationError
from ledger.verify.vkey import COSIGNATURE, parse_signer_key, parse_verifier_key, signer_key


def register(subs: Subparsers) -> None:
    """Add ``witness`` with its actions to the command line."""
    actions = add_group(
        subs,
        "witness",
        help="run a minimal transparency-log witness (C2SP tlog-witness)",
        description="A witness keeps the latest checkpoint it cosigned per log and cosigns "
        "only checkpoints consistent with it, so a log cannot show two histories.",
        dest="witness_command",
    )
    generate = actions.add_parser(
        "generate-key",
        help="create the witness's Ed25519 cosigning key",
        description="Write the private key (PRIVATE+KEY+... form, mode 0600) to FILE and print "
        "the verifier key a log lists in APPEALS_WITNESSES.",
    )
    generate.add_argument("--name", required=True, help="the witness's name, e.g. example.org/w1")
    generate.add_argument("--out", type=Path, required=True, help="the private key file")
    generate.set_defaults(handler=run_generate_key)
    serve = actions.add_parser(
        "serve",
        help="serve POST /add-checkpoint",
        description="Cosign checkpoints of the logs given with --log, refusing any that is "
        "not consistent with the last one cosigned (state kept in --state across restarts).",
    )
    serve.add_argument("--key", type=Path, required=True, help="the private key file")
    serve.add_argument(
        "--log",
        action="append",
        required=True,
        metavar="VKEY",
        help="a log's verifier key (its name is the log's origin); repeatable",
    )
    serve.add_argument("--state", type=Path, required=True, help="the state file (JSON)")
    add_listen(serve, 8100)
    serve.set_defaults(handler=run_serve)


def run_generate_key(args: argparse.Namespace, settings: Settings) -> int:
    if args.out.exists():
        print(f"appeals: {args.out} exists: not replaced", file=sys.stderr)
        return 2
    key = Ed25519PrivateKey.generate()
    try:
        text = signer_key(args.name, key, COSIGNATURE)
    except ValueError as error:
        print(f"appeals: {error}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    print(f"wrote {args.out} (keep it secret)")
    print(f"verifier key {parse_signer_key(text)[0].text()}")
    return 0


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    try:
        vkey, key = parse_signer_key(args.key.read_text().strip())
        logs = [parse_verifier_key(text) for text in args.log]
    except (OSError, VerificationError) as error:
        print(f"appeals: {error}", file=sys.stderr)
        return 2
    witness = Witness(vkey.name, key, logs, WitnessState(args.state))
    print(f"witness {vkey.text()} on http://{args.host}:{args.port}/add-checkpoint", flush=True)
    uvicorn.run(witness_app(witness), host=args.host, port=args.port, log_level="warning")
    return 0
