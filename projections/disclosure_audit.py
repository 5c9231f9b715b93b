"""The exact audit of a suppression pattern: which hidden cells the published equations fix.

The equations are ``projections.disclosure_equations``'s. With the published cells moved to
the right-hand side, the unknowns are the hidden cells and the helpers (finest cells nobody
publishes), and a hidden cell is determined exactly when its unit vector lies in the row space
of those equations with the helpers eliminated. The test is Gaussian elimination over the
integers modulo a large prime, helpers first: the coefficients are small integers, so the rank
agrees with the rational one unless the prime divides a minor, which a 61-bit prime makes
practically impossible (the minors of these sums of cells are small integers).

``solving`` also carries each equation's published cells along, so each determined cell comes
with a combination of published cells that gives it: hiding one of them breaks that way in.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

Key = tuple[str, ...]
# The value of a dimension a table sums over. NUL never reaches a stored name (PostgreSQL
# refuses it in text and intake cleans control characters out), so it names no real group.
ALL = "\x00"
Equation = tuple[tuple[Key, int], ...]  # cells and their coefficients; the sum is 0

PRIME = (1 << 61) - 1


def determined(
    equations: Sequence[Equation], hidden: Set[Key], helpers: Sequence[Key]
) -> list[Key]:
    """The hidden cells whose value follows from the published ones, in key order."""
    return sorted(solving(equations, hidden, helpers, carry=False))


def solving(
    equations: Sequence[Equation], hidden: Set[Key], helpers: Sequence[Key], carry: bool = True
) -> dict[Key, list[Key]]:
    """Each determined hidden cell, with the published cells of one combination that gives it.

    Without ``carry`` the published cells are dropped at once (faster) and the lists are empty.
    """
    # Helpers first, so rows left with a hidden pivot hold no helper; then finest cells first:
    # eliminating fine cells before the totals they add up to keeps the rows sparse.
    order = [*helpers, *sorted(hidden, key=lambda key: (key.count(ALL), key))]
    index = {key: i for i, key in enumerate(order)}
    unknowns = len(order)
    published: dict[Key, int] = {}
    pivots: dict[int, dict[int, int]] = {}
    for equation in equations:
        row: dict[int, int] = {}
        for key, coefficient in equation:
            at = index.get(key)
            if at is None:
                if not carry:
                    continue
                at = published.setdefault(key, unknowns + len(published))
            row[at] = (row.get(at, 0) + coefficient) % PRIME
        row = {v: c for v, c in row.items() if c}
        if row and min(row) < unknowns:
            _insert(pivots, row, unknowns)
    first = len(helpers)
    rows = {p: row for p, row in pivots.items() if p >= first}
    _reduce(rows)
    names = {i: key for key, i in published.items()}
    found: dict[Key, list[Key]] = {}
    for pivot, row in rows.items():
        if all(v == pivot or v >= unknowns for v in row):
            found[order[pivot]] = sorted(names[v] for v in row if v >= unknowns)
    return found


def _insert(pivots: dict[int, dict[int, int]], row: dict[int, int], unknowns: int) -> None:
    """Reduce ``row`` to echelon form against the pivot rows; keep what is left as a pivot.

    Each pivot row's smallest variable is its pivot, so subtracting one only brings in larger
    variables, and the loop ends. Rows are not reduced against later pivots here (that fill-in
    is what made a full reduction on every insert slow); ``_reduce`` does it once at the end.
    Published cells (indices from ``unknowns`` on) are carried, never pivots.
    """
    while row:
        pivot = min(row)
        if pivot >= unknowns:
            return
        found = pivots.get(pivot)
        if found is None:
            inverse = pow(row[pivot], PRIME - 2, PRIME)
            pivots[pivot] = {v: c * inverse % PRIME for v, c in row.items()}
            return
        _subtract(row, found, row[pivot])


def _reduce(pivots: dict[int, dict[int, int]]) -> None:
    """Back-substitute, largest pivot first, so no pivot row holds another pivot's variable.

    The result is the reduced row echelon form of the hidden cells' rows, which is unique: a
    hidden cell is determined exactly when its variable is a pivot whose row holds no other
    unknown.
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
