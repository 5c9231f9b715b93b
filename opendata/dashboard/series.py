"""The dashboard's figures, taken from the open-data JSON files and nothing else."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from opendata.publication import File

Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class Point:
    """One value of a chart; ``value`` None with ``suppressed`` means withheld."""

    label: str
    series: str
    value: float | None
    suppressed: bool = False
    partial: bool = False
    """Summed over days some of which are withheld: the true figure is at least this."""


@dataclass(frozen=True, slots=True)
class Selection:
    """The period (a ``YYYY-MM`` month, or None for all) and body (None for all) shown."""

    month: str | None
    body: str | None


def table(files: Mapping[str, File], name: str) -> list[Row]:
    """One resource's rows, from its published JSON."""
    rows: list[Row] = json.loads(files[f"{name}.json"].body)
    return rows


def months(files: Mapping[str, File]) -> list[str]:
    """Every month the package covers, in order."""
    return sorted({str(r["period"]) for r in table(files, "monthly")})


def bodies(files: Mapping[str, File]) -> list[str]:
    """Every body named in the package."""
    return sorted({str(r["body"]) for r in table(files, "monthly-by-body")})


def weekly(files: Mapping[str, File], chosen: Selection) -> list[Point]:
    """Appeals received per week (Monday) by channel, or for the chosen body in total."""
    name, key = ("daily-by-body", "body") if chosen.body else ("daily-by-channel", "channel")
    sums: dict[tuple[str, str], int] = defaultdict(int)
    partial: set[tuple[str, str]] = set()
    for row in table(files, name):
        day = date.fromisoformat(str(row["period"]))
        if chosen.month and str(row["period"])[:7] != chosen.month:
            continue
        if chosen.body and row["body"] != chosen.body:
            continue
        week = (day - timedelta(days=day.weekday())).isoformat()
        series = str(row[key])
        if row["suppressed"]:
            partial.add((week, series))
            sums[(week, series)] += 0
        else:
            sums[(week, series)] += int(str(row["received"]))
    return [
        Point(week, series, float(n), partial=(week, series) in partial)
        for (week, series), n in sorted(sums.items())
    ]


def per_body(files: Mapping[str, File], chosen: Selection, figure: str) -> list[Point]:
    """A monthly figure (``on_time_share``, ``first_response_p50``) per body over the months."""
    points = []
    for row in table(files, "monthly-by-body"):
        if chosen.body and row["body"] != chosen.body:
            continue
        value = row[figure]
        points.append(
            Point(
                str(row["period"]),
                str(row["body"]),
                None if value is None else float(str(value)),
                suppressed=bool(row["suppressed"]),
            )
        )
    return points


def rankings(files: Mapping[str, File], month: str, metric: str, level: str = "body") -> list[Row]:
    """The ranking rows of one month, metric and level (body, source), as published."""
    return [
        r
        for r in table(files, "rankings")
        if r["period"] == month and r["level"] == level and r["metric"] == metric
    ]


def problems(files: Mapping[str, File], month: str) -> list[Row]:
    """The sharpest problems of one month's last week, by rank, as published."""
    return [r for r in table(files, "problems") if r["period"] == month]
