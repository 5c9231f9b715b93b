"""The resources of the package: figures per month and per day, each grouped one published way."""

from __future__ import annotations

from dataclasses import dataclass

from opendata.columns import (
    DAY,
    DIMENSIONS,
    FIGURES,
    MONTH,
    PROBLEM,
    RANKING,
    RATING_SUPPRESSED,
    RATINGS,
    SUPPRESSED,
    Column,
)
from projections.models import Dimension
from projections.public_tables import DAILY_GROUPINGS, MONTHLY_ONLY


@dataclass(frozen=True, slots=True)
class Resource:
    """One table of figures: its grain (month or day) and grouping."""

    name: str
    daily: bool
    group_by: tuple[Dimension, ...]
    rankings: bool = False
    problems: bool = False

    @property
    def columns(self) -> tuple[Column, ...]:
        """The table's columns, in order."""
        if self.problems:
            return (MONTH, *PROBLEM)
        if self.rankings:
            return (MONTH, *RANKING)
        keys = tuple(DIMENSIONS[d.value] for d in self.group_by)
        period = DAY if self.daily else MONTH
        return (period, *keys, SUPPRESSED, *FIGURES, RATING_SUPPRESSED, *RATINGS)

    @property
    def title(self) -> str:
        """A short Russian title."""
        if self.problems:
            return "Острые проблемы: растущие группы обращений последней недели месяца"
        if self.rankings:
            return "Рейтинги органов, подразделений и официальных страниц по месяцам"
        grain = "по дням" if self.daily else "по месяцам"
        by = ", ".join(DIMENSIONS[d.value].name for d in self.group_by) or "всего"
        return f"Обращения {grain}: {by}"


def _name(daily: bool, group_by: tuple[Dimension, ...]) -> str:
    grain = "daily" if daily else "monthly"
    # body+department is named after the finer one: a department belongs to one body.
    return f"{grain}-by-{group_by[-1].value}" if group_by else grain


# The same groupings per month and per day (the month's tables the public may ask GraphQL for
# include these). A grouping added to ``projections.public_tables`` appears here by itself.
FIGURE_RESOURCES = tuple(
    Resource(_name(daily, group_by), daily, group_by)
    for daily in (False, True)
    for group_by in (DAILY_GROUPINGS + MONTHLY_ONLY if not daily else DAILY_GROUPINGS)
)
RANKINGS = Resource("rankings", daily=False, group_by=(), rankings=True)
PROBLEMS = Resource("problems", daily=False, group_by=(), problems=True)
RESOURCES = (*FIGURE_RESOURCES, RANKINGS, PROBLEMS)
