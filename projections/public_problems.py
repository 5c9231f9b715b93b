"""The sharpest problems as the public may have them: which groups grow, never how much.

Built from ``projections.hotspots`` (a one-sided Poisson test of each category × body against
its own baseline, from the day cells), with everything a citizen could be traced by left out:

- a problem is named only by its category and body, words staff chose from fixed lists; no
  text of any appeal, no term drawn from citizens' words, no appeal id, no person;
- no figure at all (count, baseline, growth, p-value): a week's count overlaps a month and
  its days, and the difference of two overlapping periods would publish a period that no
  suppression pattern covers (``projections.public_statistics``). Only the rank is given;
- only groups with at least ``threshold`` appeals in the period (and at least
  ``hotspots.MIN_COUNT``), as public GraphQL ``hotspots`` shows them.

Each month's list is the week ending on its last day (or on ``today`` in the current month),
against the eight weeks before. Cost: one grouped read of the day cells over those nine
weeks and one statistics query over the week, per month: O(groups × days), never appeals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from projections.hotspots import MIN_COUNT, HotspotQuery
from projections.models import Period

BASELINE_WEEKS = 8


@dataclass(frozen=True, slots=True)
class PublicProblem:
    """One growing problem of a month's last week, by rank (1 is the sharpest)."""

    month: date
    start: date
    end: date
    rank: int
    category: str | None
    body: str


def month_problems(
    hotspots: HotspotQuery, month: date, today: date, now: datetime, threshold: int
) -> list[PublicProblem]:
    """The public list of growing problems for ``month`` (empty for a month not begun)."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    end = min(last, today)
    if end < first:
        return []
    found = hotspots.hotspots(Period.WEEK, end, BASELINE_WEEKS, now)
    shown = [h for h in found if h.count >= max(threshold, MIN_COUNT)]
    return [
        PublicProblem(first, h.start, h.end, i + 1, h.category, h.body) for i, h in enumerate(shown)
    ]
