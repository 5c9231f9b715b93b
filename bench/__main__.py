"""``make bench``: every benchmark in one run, each figure beside its raw baseline."""

from __future__ import annotations

import importlib
import sys

from bench.harness import print_report

MODULES = [
    "bench.append",
    "bench.rebuild",
    "bench.verify",
    "bench.api",
    "bench.tiles",
    "bench.webhook",
    "bench.import",
]


def main() -> int:
    """Run each bench module that exists; print one table per measurement."""
    results: dict[str, dict[str, object]] = {}
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
            print(f"(skipping {name}: not built yet)", file=sys.stderr)
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module.run(results.__setitem__)
    print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
