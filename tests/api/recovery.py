"""An attacker's tool for the disclosure tests: which hidden cells do published sums fix exactly.

Unknowns are the finest cells (every dimension set) of one month; each published cell of any
table is the equation "sum of the finest cells under it = its value". A hidden cell is
recovered when its own sum vector lies in the row space of the published equations; the test
is exact Gaussian elimination over the rationals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

Cell = tuple[str | None, ...]  # a value per dimension; None where the table sums over it


def covers(cell: Cell, finest: Cell) -> bool:
    """Whether ``finest`` is one of the cells summed into ``cell``."""
    return all(v is None or v == f for v, f in zip(cell, finest, strict=True))


class Basis:
    """Row-reduced published equations over the finest cells."""

    def __init__(self, finest: Sequence[Cell]) -> None:
        self.finest = list(finest)
        self.rows: dict[int, dict[int, Fraction]] = {}  # pivot -> row with 1 at the pivot

    def vector(self, cell: Cell) -> dict[int, Fraction]:
        return {i: Fraction(1) for i, f in enumerate(self.finest) if covers(cell, f)}

    def reduce(self, row: dict[int, Fraction]) -> dict[int, Fraction]:
        row = dict(row)
        for pivot in sorted(self.rows):
            factor = row.get(pivot)
            if factor:
                for i, value in self.rows[pivot].items():
                    row[i] = row.get(i, Fraction(0)) - factor * value
                    if not row[i]:
                        del row[i]
        return row

    def add(self, cells: Iterable[Cell]) -> None:
        for cell in cells:
            row = self.reduce(self.vector(cell))
            if row:
                pivot = min(row)
                scale = row[pivot]
                self.rows[pivot] = {i: v / scale for i, v in row.items()}

    def recovers(self, cell: Cell) -> bool:
        """True when the published equations give ``cell``'s value exactly."""
        vector = self.vector(cell)
        return bool(vector) and not self.reduce(vector)
