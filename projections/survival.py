"""Kaplan–Meier medians of waiting times, with open appeals as censored ("at least this long").

Times come from the statistics view's log-scale bins (``projections.histogram``): finished
waits as counts per bin, still-running waits as counts per elapsed time (binned the same way).
At a bin, waits that finished there leave the risk set first and still-running ones there
after them (the usual convention: a censored time is at risk at its own instant). So an
appeal left open counts as at least as long as it has waited, and leaving slow appeals open
can never shorten a median below what answering them then would give.

The median is the first bin where the survival estimate falls to 0.5 or below, reported as the
bin's representative value; ``None`` when it never does (more than half still waiting past the
longest finished one). The 95 % interval inverts the pointwise Greenwood band: its lower end is
where the band's lower edge falls to 0.5, its upper end where its upper edge does (``None``
when that never happens).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from projections.confidence import Z
from projections.histogram import representative

HALF = Fraction(1, 2)


@dataclass(frozen=True, slots=True)
class Median:
    """A censoring-aware median waiting time (seconds) with its 95 % interval."""

    n: int
    finished: int
    estimate: float | None
    lower: float | None
    upper: float | None


def km_median(finished: Mapping[int, int], waiting: Mapping[int, int]) -> Median:
    """The median of waits: ``finished`` and ``waiting`` (censored) counts by bin."""
    n = sum(finished.values()) + sum(waiting.values())
    at_risk = n
    # Survival is kept as an exact fraction: with 18 waits, 9 finished in the first bins
    # leave exactly one half, which floating point would miss by an ulp.
    survival, greenwood = Fraction(1), 0.0
    estimate = lower = upper = None
    for index in sorted(set(finished) | set(waiting)):
        deaths = finished.get(index, 0)
        if deaths and at_risk:
            survival *= Fraction(at_risk - deaths, at_risk)
            if at_risk > deaths:
                greenwood += deaths / (at_risk * (at_risk - deaths))
            spread = Z * float(survival) * math.sqrt(greenwood)
            value = representative(index)
            if estimate is None and survival <= HALF:
                estimate = value
            if lower is None and float(survival) - spread <= 0.5:
                lower = value
            if upper is None and float(survival) + spread <= 0.5:
                upper = value
        at_risk -= deaths + waiting.get(index, 0)
    return Median(n, sum(finished.values()), estimate, lower, upper)
