"""Which leaf ranges an RFC 6962 root or inclusion proof hashes, and how a range splits.

Subtree ``(level, index)`` covers leaves ``[index * 2**level, (index + 1) * 2**level)``. A
range that starts at a multiple of a power of two at least its length, as every range in an
RFC 6962 root or proof does, splits into decreasing complete subtrees, folded right to left.
The monitor holds every subtree in memory and the audit log reads them from its tables; both
take the ranges from here.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.verify.tree import node_hash


def subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Split leaves ``[start, end)`` into maximal aligned complete subtrees, left to right."""
    if not 0 <= start <= end:
        raise ValueError(f"bad leaf range [{start}, {end})")
    keys: list[tuple[int, int]] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine decreasing subtrees, right to left, into the RFC 6962 hash of their range."""
    result = hashes[-1]
    for digest in reversed(hashes[:-1]):
        result = node_hash(digest, result)
    return result


def split(size: int) -> int:
    """Return the largest power of two smaller than ``size`` (the RFC 6962 ``k``)."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes are leaf ``index``'s audit path (RFC 6962 PATH), in order."""
    siblings: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            start += k
    return siblings[::-1]
