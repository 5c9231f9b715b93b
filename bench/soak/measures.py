"""Figures from the clients' outcomes: per operation, per error code, per fault."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from bench.soak.calls import CONNECTION, Outcome
from bench.soak.faults import Injected

WRITES = ("receiveAppeal", "categorizeAppeal")
RETRYABLE = ("UNAVAILABLE",)
EXPECTED = ("CONFLICT",)  # a retried categorize whose first attempt applied


@dataclass(frozen=True)
class OperationFigures:
    """Successful calls of one operation: how many, how fast, p50 and p99 latency."""

    op: str
    count: int
    per_second: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class FaultFigures:
    """One kind of fault over the run: how often, the longest time without a successful
    call, and the longest time from the reference moment to the first acknowledged write."""

    kind: str
    count: int
    longest_without_service: float
    back_after: float


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def operations(outcomes: list[Outcome], seconds: float) -> list[OperationFigures]:
    ops = sorted({outcome.op for outcome in outcomes})
    figures = []
    for op in ops:
        times = [o.seconds for o in outcomes if o.op == op and o.ok]
        figures.append(
            OperationFigures(
                op,
                len(times),
                len(times) / seconds,
                percentile(times, 0.5) * 1000,
                percentile(times, 0.99) * 1000,
            )
        )
    return figures


def error_codes(outcomes: list[Outcome]) -> Counter[tuple[str, str, bool]]:
    """(code, HTTP status, Retry-After present) of every failed call, counted."""
    return Counter(
        (o.code or "?", str(o.status or "-"), o.retry_after) for o in outcomes if not o.ok
    )


def unexpected_errors(codes: Counter[tuple[str, str, bool]]) -> int:
    """Failed calls a client could not simply retry: a code not retryable, or no Retry-After."""
    return sum(
        count
        for (code, _, retry), count in codes.items()
        if code not in (*EXPECTED, CONNECTION) and not (code in RETRYABLE and retry)
    )


def faults(injected: list[Injected], outcomes: list[Outcome], end: float) -> list[FaultFigures]:
    ok = sorted((o for o in outcomes if o.ok), key=lambda o: o.ended)
    writes = [o for o in ok if o.op in WRITES]
    per_kind: dict[str, list[tuple[float, float]]] = {}
    for n, fault in enumerate(injected):
        until = injected[n + 1].at if n + 1 < len(injected) else end
        done = [fault.at] + [o.ended for o in ok if fault.at <= o.ended < until]
        gaps = [later - earlier for earlier, later in itertools.pairwise(done)]
        longest = max([*gaps, until - done[-1]])
        first = next((o.ended for o in writes if o.started >= fault.reference), end)
        per_kind.setdefault(fault.kind, []).append((longest, first - fault.reference))
    return [
        FaultFigures(kind, len(seen), max(s[0] for s in seen), max(s[1] for s in seen))
        for kind, seen in per_kind.items()
    ]
