"""``python -m bench.soak [--minutes N] [--store postgresql|sqlite]``: the soak, with its table."""

from __future__ import annotations

import argparse
import sys

from bench.soak.report import render
from bench.soak.run import SoakConfig, run_soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description="Serve the API on a store of the soak's own, drive a mixed load, inject "
        "faults on a schedule (worker, duty and supervisor kills, a PostgreSQL restart, ended "
        "connections; on SQLite a kill mid-write), then check every acknowledged write, the "
        "views against a rebuild and `appeals verify`, and print the table. Exit 1 on a failed "
        "check.",
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the run (10)")
    parser.add_argument("--store", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--clients", type=int, default=4, help="client threads (4)")
    parser.add_argument("--keep", action="store_true", help="keep the run's files")
    args = parser.parse_args(argv)
    report = run_soak(
        SoakConfig(
            seconds=args.minutes * 60, store=args.store, clients=args.clients, keep=args.keep
        )
    )
    print(render(report))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
