"""``python -m ledger.verify``: a bundle, or a whole tiled log; exit 0 and OK, or 1 and why."""

from __future__ import annotations

import argparse
import os
import sys

from cryptography.hazmat.primitives.asymmetric import ed25519

from ledger.verify.bundle import BundleReport, verify_bundle_bytes
from ledger.verify.encoding import VerificationError, b64, load_public_key_pem
from ledger.verify.monitor import LogReport, verify_log
from ledger.verify.note import TIME_FORMAT
from ledger.verify.source import TileSource
from ledger.verify.vkey import COSIGNATURE, ED25519, VerifierKey, parse_verifier_key


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise VerificationError(reason=f"cannot read {what}", detail=str(error.strerror)) from None


def _vkey(text: str, kind: int) -> VerifierKey:
    """A verifier key given as text, or as the path of a file holding it."""
    if os.path.exists(text):
        text = _read(text, "verifier key").decode("utf-8", "replace").strip()
    key = parse_verifier_key(text)
    if key.kind != kind:
        raise VerificationError(reason="key-unreadable", detail=f"{key.name}: wrong key type")
    return key


def _result_line(report: BundleReport) -> str:
    cp = report.checkpoint
    line = (
        f"OK: appeal {report.appeal_id}: {len(report.leaf_indices)} events in {cp.origin} "
        f"tree size {cp.size} root {b64(cp.root)}"
        + ("; " if cp.time is None else f" at {cp.time.strftime(TIME_FORMAT)}; ")
    )
    if report.pinned:
        return line + f"signed by the pinned key {report.key_fingerprint}"
    # Without a pin the bundle's own key signed it, and anyone can make a key: say so.
    return line + (
        f"key NOT PINNED: {report.key_fingerprint} (compare it with the log's published key, "
        "or pass --public-key)"
    )


def _log_line(report: LogReport, appeal: str | None) -> str:
    witnessed = ", ".join(sorted(report.witnesses)) or "no witness"
    line = (
        f"OK: {report.origin} tree size {report.size} root {b64(report.root)}: "
        f"{report.tiles} tiles and bundles agree with the signed root; cosigned by {witnessed}"
    )
    if appeal is None:
        return line
    versions = [event.version for event in report.appeal_events]
    if versions != list(range(1, len(versions) + 1)) or not versions:
        raise VerificationError(reason="appeal-versions-not-1-to-n", detail=appeal)
    indices = ", ".join(str(event.leaf_index) for event in report.appeal_events)
    return line + f"; appeal {appeal}: {len(versions)} events included at leaves {indices}"


def parser() -> argparse.ArgumentParser:
    """The command line's options and help."""
    parser = argparse.ArgumentParser(
        prog="python -m ledger.verify",
        description="Verify an Appeals Ledger audit bundle offline (signed checkpoint, leaf "
        "hashes, inclusion proofs, versions 1..n): exit 0 if it verifies, else 1 and why. With "
        "--tiles, check a whole tiled log as a monitor would instead (checkpoint, witnesses' "
        "cosignatures, every tile and entry).",
    )
    parser.add_argument("bundle", nargs="?", help="path of the bundle JSON file")
    parser.add_argument(
        "--public-key",
        metavar="FILE",
        default=None,
        help="the log's Ed25519 public key (PEM, as served at /ledger/public-key): refuse a "
        "bundle signed by any other key. Without it the result line prints the bundle key's "
        "SHA-256 fingerprint for you to compare.",
    )
    parser.add_argument(
        "--verifier-key",
        metavar="VKEY",
        default=None,
        help="the log's key in note form (name+keyid+key, as served at /ledger/verifier-key), "
        "or a file holding it: pins a bundle's key like --public-key; required with --tiles",
    )
    parser.add_argument(
        "--tiles",
        metavar="PREFIX",
        default=None,
        help="check the tiled log at this tlog-tiles prefix (https://host/ledger, or a "
        "directory written by `appeals audit publish`) instead of a bundle",
    )
    parser.add_argument(
        "--witness",
        metavar="VKEY",
        action="append",
        default=[],
        help="a witness's cosignature key (repeatable)",
    )
    parser.add_argument(
        "--quorum",
        type=int,
        default=None,
        help="how many of the --witness keys must have cosigned the checkpoint (default: 1 "
        "when witnesses are given, else 0)",
    )
    parser.add_argument(
        "--appeal",
        metavar="UUID",
        default=None,
        help="with --tiles: find this appeal's events in the log and check "
        "their inclusion proofs, computed from the tiles",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line: exit 0 and print OK, or exit 1 with a one-line reason."""
    args = parser().parse_args(argv)
    if (args.tiles is None) == (args.bundle is None):
        parser().error("give a bundle, or --tiles PREFIX")
    try:
        if args.tiles is not None:
            if args.verifier_key is None:
                parser().error("--tiles needs --verifier-key")
            witnesses = [_vkey(text, COSIGNATURE) for text in args.witness]
            quorum = args.quorum if args.quorum is not None else min(1, len(witnesses))
            if not 0 <= quorum <= len(witnesses):
                parser().error("--quorum must be between 0 and the number of --witness keys")
            log = _vkey(args.verifier_key, ED25519)
            report = verify_log(TileSource(args.tiles), log, witnesses, quorum, args.appeal)
            print(_log_line(report, args.appeal))
            return 0
        pinned: ed25519.Ed25519PublicKey | None = None
        if args.public_key is not None:
            pinned = load_public_key_pem(_read(args.public_key, "public key"))
        elif args.verifier_key is not None:
            pinned = _vkey(args.verifier_key, ED25519).public_key()
        bundle = verify_bundle_bytes(_read(args.bundle, "bundle"), pinned)
    except VerificationError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    print(_result_line(bundle))
    return 0
