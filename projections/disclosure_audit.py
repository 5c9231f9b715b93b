"""The exact audit of a suppression pattern: which hidden cells the published equations fix.

Each line says ``parent = sum of children``. With the published cells moved to the right-hand
side, the unknowns are the hidden cells, and a hidden cell is determined exactly when its unit
vector lies in the row space of those equations. The test is Gaussian elimination to reduced
row echelon form over the integers modulo a large prime: the coefficients are 0 and ±1, so the
rank agrees with the rational one unless the prime divides a minor, which a 61-bit prime makes
practically impossible. A cell is determined when it is a pivot whose row has no other entry.
"""

from __future__ import annotations

from collections.abc import Set

Key = tuple[str, ...]
Line = tuple[Key, list[Key]]  # a parent cell and its non-empty children along one dimension

PRIME = (1 << 61) - 1


def determined(lines: list[Line], hidden: Set[Key]) -> list[Key]:
    """The hidden cells whose value follows from the published ones, in key order."""
    order = sorted(hidden)
    index = {key: i for i, key in enumerate(order)}
    pivots: dict[int, dict[int, int]] = {}
    for parent, children in lines:
        row: dict[int, int] = {}
        if parent in hidden:
            row[index[parent]] = 1
        for child in children:
            if child in hidden:
                row[index[child]] = PRIME - 1
        if row:
            _insert(pivots, row)
    return [order[p] for p, row in sorted(pivots.items()) if len(row) == 1]


def _insert(pivots: dict[int, dict[int, int]], row: dict[int, int]) -> None:
    """Reduce ``row`` by the pivot rows and, if anything is left, add it as a new pivot."""
    for var in [v for v in row if v in pivots]:
        factor = row.get(var, 0)
        if factor:
            _subtract(row, pivots[var], factor)
    if not row:
        return
    pivot = min(row)
    inverse = pow(row[pivot], PRIME - 2, PRIME)
    row = {v: c * inverse % PRIME for v, c in row.items()}
    for other in pivots.values():
        factor = other.get(pivot, 0)
        if factor:
            _subtract(other, row, factor)
    pivots[pivot] = row


def _subtract(target: dict[int, int], row: dict[int, int], factor: int) -> None:
    """``target -= factor * row`` modulo the prime, dropping zeros."""
    for var, coefficient in row.items():
        value = (target.get(var, 0) - factor * coefficient) % PRIME
        if value:
            target[var] = value
        else:
            target.pop(var, None)
