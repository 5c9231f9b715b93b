"""RFC 6962 roots and inclusion proofs from a whole list of leaf hashes, as a monitor has them.

Every complete aligned subtree is hashed once (``Levels``): level ``k`` index ``j`` covers
leaves ``[j * 2**k, (j + 1) * 2**k)``. Any range a root or proof needs splits into at most
O(log n) such subtrees, folded right to left.
"""

from __future__ import annotations

from ledger.verify.ranges import fold, inclusion_ranges, subtrees
from ledger.verify.tree import EMPTY_ROOT, node_hash


class Levels:
    """The hashes of every complete aligned subtree over ``leaves``."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.levels = [leaves]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    def leaf(self, index: int) -> bytes:
        """The hash of leaf ``index``."""
        return self.levels[0][index]

    def subtree(self, level: int, index: int) -> bytes:
        """The hash of complete subtree (level, index)."""
        return self.levels[level][index]

    def range_hash(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)``, a range as every root and proof uses."""
        return fold([self.levels[level][index] for level, index in subtrees(start, end)])

    def root(self, size: int) -> bytes:
        """The root of the first ``size`` leaves."""
        return self.range_hash(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 6962 PATH)."""
        return [self.range_hash(a, b) for a, b in inclusion_ranges(index, size)]
