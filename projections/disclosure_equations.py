"""Every equation the published tables of a block hold, stated so an audit of them is exact.

The unknowns of an attacker are the block's finest cells (every dimension set; an empty one is
known to be 0). Each published cell is the sum of the finest cells under it, and a hidden cell
is recoverable exactly when its own sum lies in the span of the published sums.

Stating every cell as such a sum gives long equations. Shorter ones span the same space:

- a *line*: a cell equals the sum of its children along one more dimension, when both tables
  are published (``projections.disclosure``);
- a *leaf sum*: a cell of a *leaf* table (published, with no published table one dimension
  finer) equals the sum of the finest cells under it, which are unknowns of their own
  (``helpers``).

Every published table reaches a leaf through lines, and the finest cells are independent, so
every linear relation between published and hidden cells follows from these equations: an
audit over them is exact, whatever cells are empty. When the finest table is published (a
month's own tables), it is its own leaf and only lines remain. A finest cell that is the only
one under some leaf cell is that cell (``_aliases``), so it needs no unknown of its own: in a
sparse month most are, and the audit is then no larger than over lines alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from projections.disclosure_audit import ALL, Equation, Key

Line = tuple[Key, list[Key]]  # a parent cell and its non-empty children along one dimension


@dataclass(frozen=True)
class System:
    """A block's equations: the lines (for the line rules) and everything the audit needs."""

    lines: list[Line]
    equations: list[Equation]
    helpers: list[Key]  # unknowns that are no published cell: finest cells of no alias


def system(finest: Iterable[Key], counts: Mapping[Key, int], masks: set[int]) -> System:
    """The equations of a block from its finest cells and its published non-empty cells."""
    keys = [key for key, n in counts.items() if n]
    lines = _lines(keys, masks)
    finest = list(finest)
    width = len(finest[0]) if finest else 0
    full = (1 << width) - 1
    leaves = {m for m in masks if not any(m | 1 << i in masks for i in _unset(m, width))}
    under: dict[Key, list[Key]] = defaultdict(list)
    for key in finest:
        for mask in leaves - {full}:
            under[_marginal(key, mask)].append(key)
    alias = _aliases(under)
    helpers = sorted({key for key in finest if key not in alias} & _all(under))
    # Leaf sums first, a day's before the month's (bit 0 is the day in
    # ``projections.public_tables``; elsewhere only an order): the audit's elimination then
    # meets each helper in its day first, which keeps its rows short (measured: a third of
    # the fill and half the time for a month of 10,000 appeals of the demo's shape).
    equations: list[Equation] = []
    for cell, below in sorted(under.items(), key=lambda item: (item[0][0] == ALL, item[0])):
        terms: dict[Key, int] = defaultdict(int)
        terms[cell] += 1
        for key in below:
            terms[alias.get(key, key)] -= 1
        equation = tuple((k, c) for k, c in sorted(terms.items()) if c)
        if equation:
            equations.append(equation)
    equations += [((p, 1), *((c, -1) for c in kids)) for p, kids in lines]
    return System(lines + _equal(finest, masks), equations, helpers)


def _equal(finest: Sequence[Key], masks: set[int]) -> list[Line]:
    """Cells of different tables over the same finest cells, as lines of one child each.

    Empty finest cells make such pairs (a body whose appeals of a day are all of one category
    that only it had that day); the line rules then hide both or neither, which spares the
    exact audit most of its rounds.
    """
    members: dict[Key, list[int]] = defaultdict(list)
    for at, key in enumerate(finest):
        for mask in masks:
            members[_marginal(key, mask)].append(at)
    same: dict[tuple[int, ...], list[Key]] = defaultdict(list)
    for cell, below in members.items():
        same[tuple(below)].append(cell)
    groups = (sorted(cells) for cells in same.values() if len(cells) > 1)
    return sorted((first, [other]) for first, *others in groups for other in others)


def _aliases(under: Mapping[Key, Sequence[Key]]) -> dict[Key, Key]:
    """A finest cell alone under a leaf cell is that cell (the smallest such, deterministic)."""
    alias: dict[Key, Key] = {}
    for cell, below in sorted(under.items()):
        if len(below) == 1 and below[0] not in alias:
            alias[below[0]] = cell
    return alias


def _all(under: Mapping[Key, Sequence[Key]]) -> set[Key]:
    return {key for below in under.values() for key in below}


def _unset(mask: int, width: int) -> Iterable[int]:
    return (i for i in range(width) if not mask >> i & 1)


def _marginal(key: Key, mask: int) -> Key:
    return tuple(v if mask >> i & 1 else ALL for i, v in enumerate(key))


def _lines(keys: Iterable[Key], masks: set[int]) -> list[Line]:
    children: dict[tuple[Key, int], list[Key]] = defaultdict(list)
    for key in keys:
        mask = sum(1 << i for i, value in enumerate(key) if value != ALL)
        for i, value in enumerate(key):
            if value != ALL and (mask & ~(1 << i)) in masks:
                children[((*key[:i], ALL, *key[i + 1 :]), i)].append(key)
    return [(parent, sorted(kids)) for (parent, _), kids in sorted(children.items())]
