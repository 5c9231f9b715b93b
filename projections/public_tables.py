"""What the public can reach of one month: the marginal tables of its disclosure block.

A month's block has five dimensions: the local received day, then the four of
``projections.disclosure`` (channel, category, body, department). The public reaches every
grouping of the four for the whole month (GraphQL ``statistics``, the monthly open data) and,
per day, only the groupings of ``DAILY_GROUPINGS`` (the daily open data). All of them are one
system of sums: a day's cells add up to the month's, so one suppression pattern covers both,
and a daily figure can never be subtracted from a monthly one to reveal a hidden cell.

Adding a published grouping (a source dimension, a new daily table) means adding it here:
GraphQL and the open data then share the new pattern.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from projections.disclosure import DIMENSIONS, Key, cell_key
from projections.disclosure_audit import ALL
from projections.models import Dimension

DAY = 0  # bit of the day in a table's mask; the four dimensions follow in DIMENSIONS order

# Per-day groupings the open data publishes (body and department go together: a department
# belongs to one body). A ``source`` grouping joins here once sources are a dimension.
DAILY_GROUPINGS: tuple[tuple[Dimension, ...], ...] = (
    (),
    (Dimension.BODY,),
    (Dimension.BODY, Dimension.DEPARTMENT),
    (Dimension.CATEGORY,),
    (Dimension.CHANNEL,),
)


def mask_of(group_by: Iterable[Dimension], daily: bool) -> int:
    """The bit mask of the table grouped by ``group_by`` (per day when ``daily``)."""
    kept = {Dimension(d).value for d in group_by}
    mask = 1 << DAY if daily else 0
    for i, dimension in enumerate(DIMENSIONS):
        if dimension in kept:
            mask |= 1 << (i + 1)
    return mask


MONTH_TABLES = frozenset(range(0, 1 << (len(DIMENSIONS) + 1), 2))  # day summed over
TABLES = MONTH_TABLES | {mask_of(g, daily=True) for g in DAILY_GROUPINGS}


def is_daily_grouping(group_by: Sequence[Dimension]) -> bool:
    """Whether the public may have ``group_by`` per day."""
    return mask_of(group_by, daily=True) in TABLES


def block_key(day: int | None, values: dict[str, str | None]) -> Key:
    """The key of a cell in a month's block: its day (None for the month) and dimensions."""
    return (ALL if day is None else str(day), *cell_key(values))
