"""Build a Merkle tree level by level, a page of leaves at a time, in tight loops.

``TreeBuilder`` pays for Python objects per leaf; the verifier hashes a million leaves, so it
pairs whole pages instead and keeps only the unpaired right edge between pages. The nodes
of each level come out in index order, which lets the verifier digest every level.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ledger.verify import EMPTY_ROOT


class LevelBuilder:
    """The RFC 6962 tree of the leaves given so far, with a running digest of each level."""

    def __init__(self) -> None:
        self.size = 0
        self._edge: list[bytes | None] = []  # the unpaired complete subtree of each level
        self._digests: list[Any] = []
        self.counts: list[int] = []

    def extend(self, leaf_hashes: list[bytes]) -> None:
        """Append leaves; every node of level >= 1 they complete is digested in order."""
        sha256, items, level = hashlib.sha256, leaf_hashes, 0
        self.size += len(leaf_hashes)
        while items:
            if level == len(self._edge):
                self._edge.append(None)
                self._digests.append(hashlib.sha256())
                self.counts.append(0)
            if level:
                self._digests[level].update(b"".join(items))
                self.counts[level] += len(items)
            left = self._edge[level]
            if left is not None:
                items = [left, *items]
            self._edge[level] = items.pop() if len(items) % 2 else None
            items = [
                sha256(b"\x01" + a + b).digest()
                for a, b in zip(items[::2], items[1::2], strict=True)
            ]
            level += 1

    def root(self) -> bytes:
        """The root of the leaves so far: the edge folded from the right."""
        result: bytes | None = None
        for node in self._edge:
            if node is not None:
                result = (
                    node if result is None else hashlib.sha256(b"\x01" + node + result).digest()
                )
        return EMPTY_ROOT if result is None else result

    def level_digests(self) -> dict[int, tuple[bytes, int]]:
        """For each level >= 1 with nodes: SHA-256 of its node hashes in order, and their count."""
        return {
            level: (self._digests[level].digest(), self.counts[level])
            for level in range(1, len(self.counts))
            if self.counts[level]
        }
