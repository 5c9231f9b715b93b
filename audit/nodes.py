"""Find the first stored Merkle node that is not the hash of its stored children."""

from __future__ import annotations

from collections.abc import Iterator

from audit.divergence import Divergence
from audit.store import Snapshot
from ledger.verify import node_hash

PAGE = 50_000


def _level(snapshot: Snapshot, level: int) -> Iterator[tuple[int, bytes]]:
    start = 0
    while True:
        if level == 0:
            page = [
                (leaf.leaf_index, leaf.hash)
                for leaf in snapshot.leaves_between(start, start + PAGE)
            ]
        else:
            page = snapshot.nodes_between(level, start, start + PAGE)
        yield from page
        if not page:
            return
        start = page[-1][0] + 1


def locate_node(snapshot: Snapshot, level: int, expected_count: int) -> Divergence:
    """The lower levels already matched, so the children of ``level`` can be trusted."""
    children, stored = _level(snapshot, level - 1), _level(snapshot, level)
    for index in range(expected_count):
        left, right, got = next(children, None), next(children, None), next(stored, None)
        if left is None or right is None:
            break
        if got is None or got != (index, node_hash(left[1], right[1])):
            return Divergence("node-altered", detail=f"level {level} index {index}")
    extra = next(stored, None)
    where = extra[0] if extra is not None else expected_count
    return Divergence("node-altered", detail=f"level {level} index {where}: no such subtree")
