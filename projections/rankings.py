"""Fair rankings of bodies, departments and sources (official pages) in one month.

A source is ranked within its channel (its key names it) and over every appeal that came
through it, wherever it was forwarded; appeals that came through no source are not a group.

- **On time**: the share of first final answers given by the due date, ranked by the lower
  bound of Wilson's 95 % interval (``projections.confidence``); n is the answers judged.
- **First response** and **resolution**: Kaplan–Meier medians with appeals still waiting as
  censored (``projections.survival``); n is the appeals finished plus still waiting. A median
  that is never reached (over half still waiting) ranks after every reached one.
- A group whose n is below the minimum (``APPEALS_RANKING_MIN_N``) is listed as not ranked,
  with no figures. So is a group whose month cell the public's disclosure control hides:
  its n would be a hidden figure (``projections.public_tables``).
- A still-waiting appeal counts from the start of the UTC hour after its wait began (the view
  keeps whole hours), so its censored time is never longer than its true wait.

Cost: three grouped reads of the month's cells and the month's suppression pattern (cached),
so O(groups × bins), never O(appeals).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from projections.codec import HOUR_US, to_us
from projections.confidence import wilson
from projections.histogram import bin_of
from projections.public_statistics import PublicStatistics
from projections.public_tables import block_key
from projections.ranking_data import GroupData, read_groups
from projections.survival import Median, km_median


class Level(StrEnum):
    """What is ranked."""

    BODY = "body"
    DEPARTMENT = "department"
    SOURCE = "source"


_KEYS = {
    Level.BODY: ("body",),
    Level.DEPARTMENT: ("body", "department"),
    Level.SOURCE: ("channel", "source"),
}


class Metric(StrEnum):
    """What it is ranked by."""

    ON_TIME = "on_time"
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class Unranked(StrEnum):
    """Why a group is listed without a rank."""

    TOO_FEW = "too_few"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class RankingRow:
    """One group's place: a share (0–1) or a median time (seconds) with its 95 % interval."""

    body: str | None
    department: str | None
    rank: int | None
    n: int | None
    estimate: float | None
    lower: float | None
    upper: float | None
    unranked: Unranked | None
    source: str | None = None


class Rankings:
    """Rankings over the month cells, under the public's suppression pattern."""

    def __init__(self, public: PublicStatistics) -> None:
        self.public = public

    def rank(
        self, month: date, level: Level, metric: Metric, now: datetime, threshold: int, min_n: int
    ) -> list[RankingRow]:
        """Ranked rows first (best first), then the unranked ones by name."""
        keys = _KEYS[level]
        groups = read_groups(self.public.db, month, keys)
        hidden = self.public.pattern(month, threshold).hidden
        now_hour = (to_us(now) or 0) // HOUR_US
        ranked: list[tuple[tuple[float, ...], RankingRow]] = []
        unranked: list[RankingRow] = []
        for key, data in sorted(groups.items()):
            values: dict[str, str | None] = dict(zip(keys, key, strict=True))
            if not data.appeals or values.get("source") == "":
                continue
            group = _Group(values)
            if block_key(None, values) in hidden:
                unranked.append(group.row(Unranked.SUPPRESSED))
                continue
            row, order = _measure(metric, data, now_hour, group)
            if row.n is None or row.n < min_n or order is None:
                unranked.append(group.row(Unranked.TOO_FEW))
            else:
                ranked.append((order, row))
        ranked.sort(key=lambda item: (item[0], *_names(item[1])))
        places = [dataclasses.replace(row, rank=i + 1) for i, (_, row) in enumerate(ranked)]
        return places + unranked


@dataclass(frozen=True, slots=True)
class _Group:
    """What names a ranked group: a body, a body's department, or a source."""

    values: dict[str, str | None]

    def row(
        self,
        unranked: Unranked | None,
        n: int | None = None,
        figures: tuple[float | None, float | None, float | None] = (None, None, None),
    ) -> RankingRow:
        """The group's row, with no rank yet."""
        body, department = self.values.get("body"), self.values.get("department") or None
        return RankingRow(
            body, department, None, n, *figures, unranked, self.values.get("source") or None
        )


def _names(row: RankingRow) -> tuple[str, str, str]:
    return (row.body or "", row.department or "", row.source or "")


def _measure(
    metric: Metric, data: GroupData, now_hour: int, group: _Group
) -> tuple[RankingRow, tuple[float, ...] | None]:
    if metric is Metric.ON_TIME:
        if not data.answered:
            return group.row(None, 0), None
        lower, upper = wilson(data.on_time, data.answered)
        share = data.on_time / data.answered
        return group.row(None, data.answered, (share, lower, upper)), (-lower, -share)
    if metric is Metric.FIRST_RESPONSE:
        found = km_median(data.first_response, _elapsed(data.first_waiting, now_hour))
    else:
        found = km_median(data.resolution, _elapsed(data.resolution_waiting, now_hour))
    return group.row(None, found.n, (found.estimate, found.lower, found.upper)), _time_order(found)


def _elapsed(waiting: Mapping[int, int], now_hour: int) -> dict[int, int]:
    """Still-running waits by bin: each counts from the hour after the one it began in."""
    bins: dict[int, int] = {}
    for since, n in waiting.items():
        index = bin_of(max(0, now_hour - since - 1) * 3600)
        bins[index] = bins.get(index, 0) + n
    return bins


def _time_order(found: Median) -> tuple[float, ...]:
    never = float("inf")
    estimate = never if found.estimate is None else found.estimate
    upper = never if found.upper is None else found.upper
    return (estimate, upper)
