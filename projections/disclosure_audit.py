"""The exact audit of a suppression pattern: which hidden cells the published equations fix.

The equations are ``projections.disclosure_equations``'s. With the published cells moved to
the right-hand side, the unknowns are the hidden cells and the helpers (finest cells nobody
publishes), and a hidden cell is determined exactly when its unit vector lies in the row space
of those equations with the helpers eliminated. The test is Gaussian elimination over the
integers modulo a large prime, helpers first: the coefficients are small integers, so the rank
agrees with the rational one unless the prime divides a minor, which a 61-bit prime makes
practically impossible (the minors of these sums of cells are small integers).

``determined`` needs only the echelon form; ``solving`` also carries each equation's published
cells along, so each determined cell comes with a combination of published cells that gives
it: hiding one of them breaks that way in.
"""

from __future__ import annotations

import random
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
    """The hidden cells whose value follows from the published ones, in key order.

    The echelon form is enough: a random solution of the equations with every published cell
    0 (free unknowns drawn at random, the pivots solved from the largest down) is 0 at every
    determined cell, and at any other with probability 1 / PRIME. An unlucky draw could only
    count a cell as determined, never the reverse, and the seed is fixed (same pattern).
    """
    order, pivots, _ = _echelon(equations, hidden, helpers, carry=False)
    draw = random.Random(0)
    value: dict[int, int] = {}
    for pivot in sorted(pivots, reverse=True):
        row = pivots[pivot]
        total = 0
        for var, coefficient in row.items():
            if var != pivot:
                if var not in value:  # a free unknown
                    value[var] = draw.randrange(PRIME)
                total += coefficient * value[var]
        value[pivot] = -total % PRIME
    return sorted(order[i] for i, v in value.items() if v == 0 and i >= len(helpers))


def solving(
    equations: Sequence[Equation], hidden: Set[Key], helpers: Sequence[Key], cells: Set[Key]
) -> dict[Key, list[Key]]:
    """For each of ``cells`` (determined ones), the published cells of a combination giving it.

    Each equation's published cells are carried along (never pivots). A determined cell's
    echelon row, reduced by the rows of its other unknowns from the smallest up, is left with
    that cell alone among the unknowns (its row of the unique reduced echelon form), and the
    published cells it carries then give the cell.
    """
    order, pivots, published = _echelon(equations, hidden, helpers, carry=True)
    unknowns = len(order)
    names = {i: key for key, i in published.items()}
    found: dict[Key, list[Key]] = {}
    for at, key in enumerate(order):
        if key not in cells or at not in pivots:
            continue
        row = dict(pivots[at])
        while others := [v for v in row if v != at and v < unknowns]:
            var = min(others)
            if var not in pivots:  # a free unknown: not determined after all
                break
            _subtract(row, pivots[var], row[var])
        else:
            found[key] = sorted(names[v] for v in row if v >= unknowns)
    return found


def _echelon(
    equations: Sequence[Equation], hidden: Set[Key], helpers: Sequence[Key], carry: bool
) -> tuple[list[Key], dict[int, dict[int, int]], dict[Key, int]]:
    """The unknowns in order, the echelon form's pivot rows and the carried published cells."""
    # Helpers first, so rows left with a hidden pivot hold no helper. Then the cells of a
    # day before the month's (bit 0 is the day in ``projections.public_tables``; elsewhere
    # this is only an order), finest first: eliminating fine cells before the totals they add
    # up to keeps the rows sparse (measured: 2x to 10x faster than month cells first).
    order = [*helpers, *sorted(hidden, key=lambda key: (key[0] == ALL, key.count(ALL), key))]
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
    return order, pivots, published


def _insert(pivots: dict[int, dict[int, int]], row: dict[int, int], unknowns: int) -> None:
    """Reduce ``row`` to echelon form against the pivot rows; keep what is left as a pivot.

    Each pivot row's smallest variable is its pivot, so subtracting one only brings in larger
    variables, and the loop ends. Rows are not reduced against later pivots (that fill-in is
    what made a full reduction slow): neither ``determined`` nor ``solving`` needs it.
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


def _subtract(target: dict[int, int], row: dict[int, int], factor: int) -> None:
    """``target -= factor * row`` modulo the prime, dropping zeros."""
    for var, coefficient in row.items():
        value = (target.get(var, 0) - factor * coefficient) % PRIME
        if value:
            target[var] = value
        else:
            target.pop(var, None)
