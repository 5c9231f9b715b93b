"""The one-sided Poisson test hotspots use: is a count surprisingly high for its baseline?"""

from __future__ import annotations

import math

LN10 = math.log(10)


def upper_tail_log10(count: int, rate: float) -> float:
    """log10 of P(X >= count) for X ~ Poisson(rate); 0.0 when count <= rate.

    Summed from ``count`` upwards in log space (the terms fall once past the rate), so tiny
    p-values neither underflow nor lose precision to ``1 - cdf``.
    """
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate}")
    if count <= rate:
        return 0.0
    log_term = -rate + count * math.log(rate) - math.lgamma(count + 1)
    ratio_sum, ratio, i = 1.0, 1.0, count
    while True:
        i += 1
        ratio *= rate / i
        ratio_sum += ratio
        if ratio < 1e-17 * ratio_sum:
            break
    return min(0.0, (log_term + math.log(ratio_sum)) / LN10)
