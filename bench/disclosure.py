"""The public disclosure pattern of one month: seconds per month, beside the line rules alone.

The pattern (``projections.disclosure.pattern``) is computed once per month's content and
cached; a month that still receives appeals is computed anew after each change of its
cells. Here it runs on synthetic months (``bench.month_cells``) of 700, 2,000 and 10,000
appeals, shaped like the demo and like a region of 40 bodies; the baseline is the same
month's primary suppression and line rules alone, without the exact audit.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

from bench.harness import Report, median, print_report
from bench.month_cells import month_cells
from projections.disclosure import Key, _complete, pattern
from projections.disclosure_audit import ALL
from projections.disclosure_equations import system
from projections.public_tables import TABLES

SIZES = (700, 2_000, 10_000)


def seconds(appeals: int, shape: str, rounds: int) -> dict[str, object]:
    """Median seconds of the whole pattern and of the line rules alone, and what it hides."""
    cells = month_cells(appeals, seed=1, shape=shape)
    whole, rules = [], []
    for _ in range(rounds):
        pattern.cache_clear()
        started = time.perf_counter()
        found = pattern(cells, 5, TABLES)
        whole.append(time.perf_counter() - started)
        rules.append(_rules_alone(cells))
    cells_published = _cells(cells)
    return {
        "finest cells": len(cells),
        "table cells": cells_published,
        "hidden": len(found.hidden),
        "pattern s (median)": median(whole),
        "line rules alone s (median)": median(rules),
        "load average": os.getloadavg()[0],
    }


def _rules_alone(cells: tuple[tuple[Key, int, int], ...]) -> float:
    started = time.perf_counter()
    counts: dict[Key, int] = defaultdict(int)
    for key, n, _ in cells:
        for mask in TABLES:
            counts[tuple(v if mask >> i & 1 else ALL for i, v in enumerate(key))] += n
    equations = system((key for key, _, _ in cells), counts, set(TABLES))
    hidden = {key for key, n in counts.items() if 0 < n < 5}
    _complete(equations.lines, hidden, lambda key: (counts[key], key))
    return time.perf_counter() - started


def _cells(cells: tuple[tuple[Key, int, int], ...]) -> int:
    return len(
        {
            tuple(v if mask >> i & 1 else ALL for i, v in enumerate(key))
            for key, _, _ in cells
            for mask in TABLES
        }
    )


def run(report: Report, *, shapes: tuple[str, ...] = ("demo",), rounds: int = 3) -> None:
    """Each size of each shape."""
    for shape in shapes:
        for appeals in SIZES:
            report(
                f"disclosure pattern, {shape}, {appeals} appeals", seconds(appeals, shape, rounds)
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shape", action="append", choices=["demo", "region"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--appeals", type=int, action="append", help="only these sizes")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    if args.appeals:
        for shape in args.shape or ["demo"]:
            for appeals in args.appeals:
                name = f"disclosure pattern, {shape}, {appeals} appeals"
                results[name] = seconds(appeals, shape, args.rounds)
                print_report({name: results[name]})
    else:
        run(results.__setitem__, shapes=tuple(args.shape or ["demo"]), rounds=args.rounds)
        print_report(results)
