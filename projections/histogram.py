"""Fixed log-scale duration bins, shared by the projection and the queries.

Bin 0 holds durations under one second. Bin ``k >= 1`` holds ``[B**(k-1), B**k)`` seconds with
``B = 1.02``; a percentile is reported as the bin's geometric midpoint, so for durations of one
second or more it is within ``sqrt(B) - 1`` (0.995 %) of the exact value. The bins are fixed,
so merging groups is adding counts.

Percentiles use the nearest-rank method: the p-th percentile of ``n`` durations is the
``ceil(p * n)``-th smallest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BASE = 1.02
_LOG_BASE = math.log(BASE)


def bin_of(seconds: float) -> int:
    """The bin of a duration in seconds (negative durations count as zero)."""
    if seconds < 1:
        return 0
    return 1 + int(math.log(seconds) / _LOG_BASE)


def representative(index: int) -> float:
    """The value reported for a bin: 0 for bin 0, else its geometric midpoint."""
    if index == 0:
        return 0.0
    return float(BASE ** (index - 0.5))


def percentile(counts: Mapping[int, int], percent: int) -> float | None:
    """The nearest-rank ``percent``-th percentile of a histogram; None when it is empty."""
    total = sum(counts.values())
    if total <= 0:
        return None
    rank = max(1, -(-percent * total // 100))  # integer ceil: no float rounding at the edges
    seen = 0
    for index in sorted(counts):
        seen += counts[index]
        if seen >= rank:
            return representative(index)
    return representative(max(counts))
