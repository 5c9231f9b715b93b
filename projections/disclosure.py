"""Disclosure control of public statistics: primary and complementary suppression of a month.

What the public can ask of one month is marginal tables of the five dimensions (channel,
category, body, department, source; ``public_tables`` says which): a ``groupBy`` is a table and
an equality filter is a cell of a finer table. Each table is a sum of the finer ones, so the
published figures form linear equations, one per *line*: a cell of a table equals the sum of its
children along one more dimension (only the non-empty ones: an absent group is a published 0).

- Primary suppression: a cell of 1 to ``threshold - 1`` appeals.
- Complementary suppression, deterministic (the same cells give the same pattern, so two
  requests cannot be differenced): on every line, a published parent with exactly one hidden
  child gets a second one hidden (the smallest), and a hidden parent whose children are all
  published gets its smallest child hidden; two cells of different tables over the same
  finest cells are hidden together; repeated to a fixed point. Those rules are necessary,
  not sufficient, so an exact audit (``disclosure_audit``) then finds every hidden cell the
  published figures still determine; for each, the cheapest published cell of a combination
  that gives it is hidden (one in an equation with it first), until the audit finds none.
- Ratings are a citizen's own act: a cell's rating (its average and the number of ratings)
  is hidden when the cell is hidden or has 1 to ``threshold - 1`` ratings, and the rating sums
  get complementary suppression of their own on the same lines.

A hidden cell hides all its additive figures together (count, counts by status, overdue now);
they share the count's equations, so the count's pattern protects each of them.

A block may have more dimensions than the five (``public_tables`` adds the day of the month,
so daily open data and the month's tables are one system) and publish only some of its
marginal tables: ``tables`` names them by bit mask (bit ``i`` set: dimension ``i`` is kept).

Guarantee: the audit is exact over the block's finest cells, published or not
(``disclosure_equations``): no hidden count or rating sum is a linear combination of the
published ones, whatever cells are empty (an empty finest cell can make a daily table's
cell equal another table's, an equation no line between published tables holds; the line
audit alone missed those). It does not cover bounds (a hidden cell known to be 0..3) or
non-additive figures.

Cost: each round of the audit is one sparse elimination modulo a prime over the hidden cells
(and the finest cells that no published cell stands for), in Python. A month of the demo's
shape takes seconds; a sparse month in which most cells are small (many bodies, departments
and pages) takes minutes at 10,000 appeals (``bench/disclosure.py``; figures in README).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from projections.disclosure_audit import ALL, determined, solving
from projections.disclosure_equations import Line, System, system

DIMENSIONS = ("channel", "category", "body", "department", "source")

Key = tuple[str, ...]
Cells = tuple[tuple[Key, int, int], ...]  # finest cells of a month: key, appeals, ratings


@dataclass(frozen=True)
class Pattern:
    """Which cells of a month's tables the public sees suppressed."""

    hidden: frozenset[Key]
    rating_hidden: frozenset[Key]


def cell_key(values: Mapping[str, str | None]) -> Key:
    """The key of a cell from its dimension values; a missing dimension is summed over."""
    return tuple(ALL if values.get(d) is None else str(values[d] or "") for d in DIMENSIONS)


@lru_cache(maxsize=256)
def pattern(cells: Cells, threshold: int, tables: frozenset[int] | None = None) -> Pattern:
    """The suppression pattern of one month, from its finest cells (cached per content).

    ``tables``: the published marginal tables as bit masks of kept dimensions (default all).
    """
    width = len(cells[0][0]) if cells else len(DIMENSIONS)
    masks = sorted(tables) if tables is not None else range(1 << width)
    counts: dict[Key, int] = defaultdict(int)
    ratings: dict[Key, int] = defaultdict(int)
    for key, n, rated in cells:
        for mask in masks:
            marginal = tuple(v if mask >> i & 1 else ALL for i, v in enumerate(key))
            counts[marginal] += n
            ratings[marginal] += rated
    equations = system((key for key, n, _ in cells if n), counts, set(masks))
    primary = {key for key, n in counts.items() if 0 < n < threshold}
    hidden = _protect(equations, primary, lambda key: (counts[key], key))
    sensitive = hidden | {key for key, r in ratings.items() if 0 < r < threshold}
    # Prefer cells that have ratings: hiding a rating of nothing protects little.
    rating_hidden = _protect(
        equations, sensitive, lambda key: (ratings[key] == 0, ratings[key], key)
    )
    return Pattern(frozenset(hidden), frozenset(rating_hidden))


Cost = Callable[[Key], tuple[object, ...]]


def _protect(equations: System, primary: set[Key], cost: Cost) -> set[Key]:
    """The line rules to a fixed point, then the exact audit; each round of it hides, for
    every determined cell, the cheapest published cell of a combination that gives it."""
    hidden = set(primary)
    lines, rows, helpers = equations.lines, equations.equations, equations.helpers
    rows_of: dict[Key, list[int]] = defaultdict(list)
    for at, row in enumerate(rows):
        for key, _ in row:
            rows_of[key].append(at)
    while True:
        _complete(lines, hidden, cost)
        exposed = determined(rows, hidden, helpers)
        if not exposed:
            return hidden
        found = solving(rows, hidden, helpers, set(exposed))
        before = len(hidden)
        for key, combination in found.items():
            shown = [k for k in combination if k not in hidden]
            # A cell in an equation with the exposed one first: a far one tends to leave
            # another combination open, one more round each time.
            near = {k for at in rows_of[key] for k, _ in rows[at]}
            if shown:
                hidden.add(min(shown, key=lambda k: (k not in near, cost(k))))
        if len(hidden) == before:
            # A cell fixed by no published cell is an empty one (never hidden): unreachable,
            # but should it happen, publishing nothing is the safe way out.
            unpublished = set(helpers)
            hidden.update(k for row in rows for k, _ in row if k not in unpublished)


def _complete(lines: list[Line], hidden: set[Key], cost: Cost) -> None:
    """The line rules, to a fixed point."""
    changed = True
    while changed:
        changed = False
        for parent, children in lines:
            inside = sum(1 for c in children if c in hidden)
            if parent in hidden and inside == 0:
                hidden.add(min(children, key=cost))
                changed = True
            elif parent not in hidden and inside == 1:
                shown = [c for c in children if c not in hidden]
                hidden.add(min(shown, key=cost) if shown else parent)
                changed = True
