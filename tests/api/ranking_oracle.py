"""Brute-force oracles of the rankings' figures: Wilson bounds and Kaplan-Meier medians."""

from __future__ import annotations

import math
from fractions import Fraction

from projections.histogram import representative

Z = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


def wilson(k: int, n: int) -> tuple[float, float, float]:
    """(share, Wilson lower bound, upper bound) of ``k`` of ``n`` at 95 %."""
    p = k / n
    centre, spread = p + Z * Z / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return p, (centre - spread) / (1 + Z * Z / n), min(1.0, (centre + spread) / (1 + Z * Z / n))


def kaplan_meier(events: list[tuple[int, bool]]) -> tuple[float | None, ...]:
    """(estimate, lower, upper) from (bin, finished) observations, one at a time."""
    at_risk, survival, greenwood = len(events), Fraction(1), 0.0
    found: list[float | None] = [None, None, None]
    for index in sorted({b for b, _ in events}):
        deaths = sum(1 for b, done in events if b == index and done)
        if deaths:
            survival *= Fraction(at_risk - deaths, at_risk)
            if at_risk > deaths:
                greenwood += deaths / (at_risk * (at_risk - deaths))
            spread = Z * float(survival) * math.sqrt(greenwood)
            bounds = (float(survival), float(survival) - spread, float(survival) + spread)
            for slot, value in enumerate(bounds):
                if found[slot] is None and (value <= 0.5 if slot else survival <= Fraction(1, 2)):
                    found[slot] = representative(index)
        at_risk -= sum(1 for b, _ in events if b == index)
    return tuple(found)
