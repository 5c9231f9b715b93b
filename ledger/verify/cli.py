"""``python -m ledger.verify [--public-key FILE] bundle.json``: exit 0 and OK, or 1 and why."""

from __future__ import annotations

import argparse
import sys

from cryptography.hazmat.primitives.asymmetric import ed25519

from ledger.verify.bundle import BundleReport, verify_bundle_bytes
from ledger.verify.encoding import VerificationError, b64, load_public_key_pem
from ledger.verify.note import TIME_FORMAT


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise VerificationError(reason=f"cannot read {what}", detail=str(error.strerror)) from None


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


def main(argv: list[str] | None = None) -> int:
    """Run the command line: exit 0 and print OK, or exit 1 with a one-line reason."""
    parser = argparse.ArgumentParser(
        prog="python -m ledger.verify",
        description="Verify an Appeals Ledger audit bundle offline (signed checkpoint, leaf "
        "hashes, inclusion proofs, versions 1..n): exit 0 if it verifies, else 1 and why.",
    )
    parser.add_argument("bundle", help="path of the bundle JSON file")
    parser.add_argument(
        "--public-key", metavar="FILE", default=None,
        help="the log's Ed25519 public key (PEM, as served at /ledger/public-key): refuse a "
        "bundle signed by any other key. Without it the result line prints the bundle key's "
        "SHA-256 fingerprint for you to compare.",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        pinned: ed25519.Ed25519PublicKey | None = None
        if args.public_key is not None:
            pinned = load_public_key_pem(_read(args.public_key, "public key"))
        report = verify_bundle_bytes(_read(args.bundle, "bundle"), pinned)
    except VerificationError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    print(_result_line(report))
    return 0
