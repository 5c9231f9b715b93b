"""Wilson's score interval for a share: rankings order shares by its lower bound.

A raw share rewards small groups (3 of 3 on time is 100 %); the lower bound of the interval
asks how high the share is *at least*, with 95 % confidence, so 970 of 1,000 (lower bound
0.958) ranks above 3 of 3 (0.438).
"""

from __future__ import annotations

import math

Z = 1.959963984540054  # the two-sided 95 % normal quantile


def wilson(successes: int, n: int, z: float = Z) -> tuple[float, float]:
    """The (lower, upper) bounds of Wilson's score interval for ``successes`` of ``n``."""
    if n <= 0:
        raise ValueError("a share of nothing has no interval")
    share = successes / n
    z2 = z * z
    centre = share + z2 / (2 * n)
    spread = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)
