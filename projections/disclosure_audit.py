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
# The value of a dimension a table sums over. NUL never reaches a stored name (PostgreSQL
# refuses it in text and intake cleans control characters out), so it names no real group.
ALL = "\x00"
Line = tuple[Key, list[Key]]  # a parent cell and its non-empty children along one dimension

PRIME = (1 << 61) - 1


def determined(lines: list[Line], hidden: Set[Key]) -> list[Key]:
    """The hidden cells whose value follows from the published ones, in key order."""
    # Finest cells first: a pivot is a row's smallest variable, and eliminating the fine
    # cells before the totals they add up to keeps the rows sparse (about 2x faster).
    order = sorted(hidden, key=lambda key: (key.count(ALL), key))
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
    _reduce(pivots)
    return sorted(order[p] for p, row in pivots.items() if len(row) == 1)


def _insert(pivots: dict[int, dict[int, int]], row: dict[int, int]) -> None:
    """Reduce ``row`` to echelon form against the pivot rows; keep what is left as a pivot.

    Each pivot row's smallest variable is its pivot, so subtracting one only brings in larger
    variables, and the loop ends. Rows are not reduced against later pivots here (that fill-in
    is what made a full reduction on every insert slow); ``_reduce`` does it once at the end.
    """
    while row:
        pivot = min(row)
        found = pivots.get(pivot)
        if found is None:
            inverse = pow(row[pivot], PRIME - 2, PRIME)
            pivots[pivot] = {v: c * inverse % PRIME for v, c in row.items()}
            return
        _subtract(row, found, row[pivot])


def _reduce(pivots: dict[int, dict[int, int]]) -> None:
    """Back-substitute, largest pivot first, so no pivot row holds another pivot's variable.

    The result is the reduced row echelon form, which is unique: a hidden cell is determined
    exactly when its variable is a pivot whose row holds nothing else.
    """
    for pivot in sorted(pivots, reverse=True):
        row = pivots[pivot]
        for var in [v for v in row if v != pivot and v in pivots]:
            factor = row.get(var, 0)
            if factor:
                _subtract(row, pivots[var], factor)


def _subtract(target: dict[int, int], row: dict[int, int], factor: int) -> None:
    """``target -= factor * row`` modulo the prime, dropping zeros."""
    for var, coefficient in row.items():
        value = (target.get(var, 0) - factor * coefficient) % PRIME
        if value:
            target[var] = value
        else:
            target.pop(var, None)
