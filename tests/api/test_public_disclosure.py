"""Disclosure control over real demo data: nothing hidden from the public can be worked out.

Three demo seeds load into months of their own. The public asks for everything it may ask of
a month (every ``groupBy``, every filter, the month's range), and the attacker of
``tests.api.recovery`` tries to solve each hidden cell from all of it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from ledger.values import Role
from tests.api.inprocess import InProcessServer
from tests.api.pages import load_months
from tests.api.recovery import Basis, Cell
from tests.waiting import until

DIMS = ("channel", "category", "body", "department", "source")
GROUP_BY = [list(c) for r in range(len(DIMS) + 1) for c in itertools.combinations(DIMS, r)]
SEEDS = {4: "2025-03-31", 9: "2025-07-31", 17: "2025-11-30"}  # seed: end of its 90 days
APPEALS = 300
PAGED = 150  # more appeals per seed, through official pages (``tests.api.pages``)
THRESHOLD = 5
FIELDS = (
    "channel category body department source periodStart suppressed count ratedCount averageRating"
)


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What the public may see is the app's answer: it is served in this process."""
    return in_process


@pytest.fixture(scope="module")
def demo(live: InProcessServer) -> InProcessServer:
    load_months(live.database_url, SEEDS, APPEALS, PAGED)
    staff = live.token(Role.SUPERVISOR)
    loaded = (APPEALS + PAGED) * len(SEEDS)
    until(lambda: sum(g["count"] for g in _months(live, [], staff)) >= loaded, timeout=60)
    return live


def _ask(live: InProcessServer, arguments: str, token: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = live.post(
        f"{{ statistics{f'({arguments})' if arguments else ''} {{ {FIELDS} }} }}", token=token
    ).json()
    return answer


def _months(
    live: InProcessServer, group_by: list[str], token: str | None = None, where: str = ""
) -> list[dict[str, Any]]:
    dims = ", ".join(d.upper() for d in group_by)
    window = 'receivedFrom: "2024-12-01", receivedTo: "2025-11-30"'
    answer = _ask(live, f"filter: {{{window}{where}}}, groupBy: [{dims}], period: MONTH", token)
    groups: list[dict[str, Any]] = answer["data"]["statistics"]
    return groups


def _cell(group: dict[str, Any], group_by: list[str], fixed: dict[str, str]) -> Cell:
    # The public gets a source within its channel: grouping by source groups by both.
    shown = {*group_by, *(["channel"] if "source" in group_by else [])}
    return tuple((group[d] or "") if d in shown else fixed.get(d) for d in DIMS)


def _public_tables(live: InProcessServer) -> Iterator[tuple[str, Cell, dict[str, Any]]]:
    """Every grouping of every month, and each dimension value as a filter (coarse and fine)."""
    values: dict[str, set[str]] = {d: set() for d in DIMS}
    for group_by in GROUP_BY:
        for group in _months(live, group_by):
            for d in group_by:
                values[d].add(group[d] or "")
            yield group["periodStart"], _cell(group, group_by, {}), group
    for dim in DIMS:
        for value in sorted(values[dim] - {""}):
            literal = value.upper() if dim == "channel" else f'"{value}"'
            for group_by in ([], [d for d in DIMS if d != dim]):
                for group in _months(live, group_by, where=f", {dim}: {literal}"):
                    yield group["periodStart"], _cell(group, group_by, {dim: value}), group


def test_no_hidden_count_or_rating_can_be_solved_from_what_the_public_can_ask(
    demo: InProcessServer,
) -> None:
    staff = demo.token(Role.SUPERVISOR)
    finest = _months(demo, list(DIMS), staff)
    published = list(_public_tables(demo))

    months = sorted({month for month, _, _ in published})
    recovered, rating_recovered, hidden, lone_ratings = [], [], 0, []
    for month in months:
        cells = [_cell(g, list(DIMS), {}) for g in finest if g["periodStart"] == month]
        here = [(cell, g) for m, cell, g in published if m == month]
        counts, ratings = Basis(cells), Basis(cells)
        counts.add(cell for cell, g in here if not g["suppressed"])
        ratings.add(cell for cell, g in here if g["ratedCount"] is not None)
        for cell, g in here:
            hidden += g["suppressed"]
            if g["suppressed"] and counts.recovers(cell):
                recovered.append((month, cell))
            if g["ratedCount"] is None and ratings.recovers(cell):
                rating_recovered.append((month, cell))
            if g["averageRating"] is not None and g["ratedCount"] < THRESHOLD:
                lone_ratings.append((month, cell))
    assert len(months) >= 9 and hidden > 100  # the data does exercise suppression
    assert recovered == []
    assert rating_recovered == []
    assert lone_ratings == []


def test_the_public_may_ask_only_for_whole_calendar_months(demo: InProcessServer) -> None:
    days = [date(2025, 10, 1) + timedelta(days=n) for n in range(0, 61, 6)]
    days = sorted({*days, date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 30)})

    allowed, refused = [], set()
    for start, end in itertools.product(days, days):
        if start > end:
            continue
        answer = _ask(demo, f'filter: {{receivedFrom: "{start}", receivedTo: "{end}"}}')
        if "errors" in answer:
            refused.add(answer["errors"][0]["extensions"]["code"])
        else:
            allowed.append((start, end))
    periods = {p: _ask(demo, f"period: {p}") for p in ("DAY", "WEEK")}
    whole = _ask(demo, "")
    november = _ask(demo, 'filter: {receivedFrom: "2025-11-01", receivedTo: "2025-11-30"}')
    month_cells = {g["periodStart"]: g for g in _months(demo, [])}

    assert allowed == [
        (date(2025, 10, 1), date(2025, 10, 31)),
        (date(2025, 11, 1), date(2025, 11, 30)),
    ]
    assert refused == {"BAD_USER_INPUT"}
    for answer in [*periods.values(), whole]:
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "whole calendar months" in answer["errors"][0]["message"]
    # The one range of November shows what November's month cell shows: nothing to difference.
    assert november["data"]["statistics"] == [month_cells["2025-11-01"] | {"periodStart": None}]
