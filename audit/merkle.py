"""Merkle tree math (RFC 6962/9162) over stored hashes of complete aligned subtrees; pure.

Node ``(level, index)`` is the hash of leaves ``[index * 2**level, (index + 1) * 2**level)``
and is stored as soon as that range is complete: appending leaf ``i`` stores ``(0, i)`` and,
while the new node is a right child, its parent. Then every range an RFC 6962 root or proof
needs splits into at most O(log n) stored nodes, read with a single ``get_many``, so a log of
millions of rows never costs O(n) per proof.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ledger.verify import EMPTY_ROOT, node_hash
from ledger.verify.ranges import fold, inclusion_ranges, split, subtrees

Key = tuple[int, int]
"""(level, index) of a complete aligned subtree."""
Node = tuple[int, int, bytes]
"""(level, index, hash) of a complete aligned subtree."""


class NodeStore(Protocol):
    """Read access to stored subtree hashes; a node that is not stored raises ``KeyError``."""

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of node (level, index)."""
        ...

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Return the hashes of all these nodes, in one round trip."""
        ...


class MemoryNodeStore:
    """A NodeStore held in a dict, for tests and in-memory rebuilds."""

    def __init__(self, nodes: Iterable[Node] = ()) -> None:
        self.nodes: dict[Key, bytes] = {}
        self.put_many(nodes)

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of node (level, index)."""
        return self.nodes[(level, index)]

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Return the hashes of all these nodes."""
        return {key: self.nodes[key] for key in keys}

    def put_many(self, nodes: Iterable[Node]) -> None:
        """Store these nodes."""
        for level, index, digest in nodes:
            self.nodes[(level, index)] = digest


def _range_hashes(ranges: Sequence[tuple[int, int]], store: NodeStore) -> list[bytes]:
    """Return MTH of each leaf range, reading all their subtrees in one ``get_many``.

    Each range must start at a multiple of a power of two at least its length, as every
    range in an RFC 6962 root or proof does; its subtrees then decrease in size.
    """
    parts = [subtrees(start, end) for start, end in ranges]
    stored = store.get_many(list(dict.fromkeys(key for keys in parts for key in keys)))
    return [fold([stored[key] for key in keys]) for keys in parts]


def new_nodes(leaf_index: int, leaf_hash: bytes, store: NodeStore) -> list[Node]:
    """Return the nodes completed by appending leaf ``leaf_index``: itself, then parents."""
    lefts: list[Key] = []
    level, index = 0, leaf_index
    while index & 1:
        lefts.append((level, index - 1))
        level, index = level + 1, index >> 1
    stored = store.get_many(lefts)
    nodes: list[Node] = [(0, leaf_index, leaf_hash)]
    for level, left_index in lefts:
        nodes.append(
            (level + 1, left_index >> 1, node_hash(stored[(level, left_index)], nodes[-1][2]))
        )
    return nodes


class TreeBuilder:
    """Appends many leaves with the tree's right edge in memory: no store reads per leaf."""

    def __init__(self, size: int = 0, edge: Sequence[Node] = ()) -> None:
        if [(level, index) for level, index, _ in edge] != subtrees(0, size):
            raise ValueError("edge must be the complete subtrees of [0, size)")
        self._size = size
        self._edge = list(edge)

    @classmethod
    def resume(cls, size: int, store: NodeStore) -> TreeBuilder:
        """Continue a stored tree of ``size`` leaves, reading only its O(log n) edge nodes."""
        keys = subtrees(0, size)
        stored = store.get_many(keys)
        return cls(size, [(level, index, stored[(level, index)]) for level, index in keys])

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Append one leaf and return the nodes it completes, leaf first."""
        node: Node = (0, self._size, leaf_hash)
        created = [node]
        while self._edge and self._edge[-1][0] == node[0]:
            level, index, left = self._edge.pop()
            node = (level + 1, index >> 1, node_hash(left, node[2]))
            created.append(node)
        self._edge.append(node)
        self._size += 1
        return created

    def extend(self, leaf_hashes: Iterable[bytes]) -> list[Node]:
        """Append many leaves and return every node they complete."""
        return [node for digest in leaf_hashes for node in self.append(digest)]

    def root(self) -> bytes:
        """Return the root of the tree built so far."""
        return fold([digest for _, _, digest in self._edge]) if self._edge else EMPTY_ROOT


def root(size: int, store: NodeStore) -> bytes:
    """Return the RFC 6962 Merkle tree hash of the first ``size`` leaves."""
    if size < 0:
        raise ValueError(f"bad tree size {size}")
    return _range_hashes([(0, size)], store)[0] if size else EMPTY_ROOT


def inclusion_proof(index: int, size: int, store: NodeStore) -> list[bytes]:
    """Return the RFC 6962 audit path of leaf ``index`` in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    return _range_hashes(inclusion_ranges(index, size), store)


def consistency_proof(size1: int, size2: int, store: NodeStore) -> list[bytes]:
    """Return the RFC 6962 consistency proof between trees of ``size1`` <= ``size2`` leaves."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"bad sizes {size1}, {size2}")
    if size1 in (0, size2):
        return []
    ranges: list[tuple[int, int]] = []
    start, end, m, known = 0, size2, size1, True
    while m != end - start:  # SUBPROOF(m, D[start:end], known), unrolled
        k = split(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, known = start + k, m - k, False
    if not known:
        ranges.append((start, end))
    return _range_hashes(ranges[::-1], store)
