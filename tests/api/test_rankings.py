"""Fair rankings over HTTP on both stores, checked against a brute-force recomputation.

Five bodies work one October: one answers fast, one has 3 of 3 on time, one has 10 of 10,
one answers its slow appeals late and one leaves the same slow appeals open. Their appeals
come through official pages (sources), ranked too: the fast body's through two pages of 20,
the small bodies' through none. The test knows
every appeal's times, so it recomputes each figure the long way (Wilson's formula, Kaplan–Meier
one observation at a time with Greenwood's variance) and compares GraphQL and the open data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.bootstrap import build
from api.settings import Settings
from ledger.values import Actor, Role
from projections.histogram import bin_of, representative
from tests.api.conftest import LiveServer
from tests.api.inprocess import REPLAY_CLOCK_SKEW
from tests.api.published import wait_published
from tests.api.ranking_oracle import kaplan_meier, wilson
from tests.waiting import until

BASE = datetime(2025, 10, 6, 9, tzinfo=UTC)
OFFICER = Actor("ranking-officer", Role.OPERATOR)
DAY = timedelta(days=1)
FAST, LATE = (DAY, 2 * DAY), (40 * DAY, 41 * DAY)  # (answer after, close after)


@dataclass(frozen=True)
class Case:
    body: str
    received: datetime
    answer_after: timedelta | None
    close_after: timedelta | None
    source: str | None = None


def _scenario() -> list[Case]:
    plan: dict[str, list[tuple[timedelta | None, timedelta | None]]] = {
        "Орган быстрый": [FAST] * 39 + [LATE],
        "Орган три из трёх": [FAST] * 3,
        "Орган десять из десяти": [FAST] * 10,
        "Орган поздний": [FAST] * 15 + [LATE] * 25,
        "Орган молчащий": [FAST] * 15 + [(None, None)] * 25,
    }
    pages = {
        "Орган быстрый": ("pos:fast-a", "pos:fast-b"),
        "Орган поздний": ("pos:late",),
        "Орган молчащий": ("pos:silent",),
    }
    cases, i = [], 0
    for body, steps in plan.items():
        for n, (answer, close) in enumerate(steps):
            own = pages.get(body)
            source = own[n % len(own)] if own else None
            cases.append(Case(body, BASE + timedelta(hours=3 * i), answer, close, source))
            i += 1
    return cases


CASES = _scenario()


@pytest.fixture(scope="module")
def ranked(live: LiveServer) -> LiveServer:
    container = build(
        Settings.from_environ(
            {"APPEALS_DATABASE_URL": live.database_url, "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW}
        )
    )
    ledger = container.ledger
    for n, case in enumerate(CASES):
        got = ledger.receive_appeal(
            channel="pos",
            external_id=f"rank-{n}",
            text="Яма на дороге",
            body=case.body,
            category="дороги",
            at=case.received,
            source=case.source,
        )
        ledger.register_appeal(
            got.appeal_id, number=f"R-{n}", actor=OFFICER, at=case.received + timedelta(hours=1)
        )
        if case.answer_after is not None:
            ledger.answer_appeal(
                got.appeal_id,
                text="Отремонтировано",
                actor=OFFICER,
                at=case.received + case.answer_after,
            )
        if case.close_after is not None:
            ledger.close_appeal(
                got.appeal_id,
                outcome="resolved",
                actor=OFFICER,
                at=case.received + case.close_after,
            )
    container.close()
    staff = live.token(Role.SUPERVISOR)
    query = (
        '{ statistics(filter: {receivedFrom: "2025-10-01", receivedTo: "2025-10-31"}) { count } }'
    )

    def loaded() -> bool:
        groups = live.post(query, token=staff).json()["data"]["statistics"]
        return bool(groups) and groups[0]["count"] == len(CASES)

    until(loaded, timeout=60)
    wait_published(live.database_url)
    return live


def _rankings(live: LiveServer, metric: str, level: str = "BODY") -> list[dict[str, Any]]:
    answer = live.post(
        f'{{ rankings(month: "2025-10-01", level: {level}, metric: {metric}) '
        "{ body department source rank n estimate lower upper unranked } }"
    ).json()
    rows: list[dict[str, Any]] = answer["data"]["rankings"]
    return rows


def _hidden(live: LiveServer, level: str = "BODY") -> set[str]:
    name = level.lower()
    groups = live.post(
        '{ statistics(filter: {receivedFrom: "2025-10-01", receivedTo: "2025-10-31"}, '
        f"groupBy: [{level}]) {{ {name} suppressed }} }}"
    ).json()["data"]["statistics"]
    return {g[name] for g in groups if g["suppressed"]}


def _waited(case: Case, now: datetime) -> int:
    """A still-waiting appeal counts from the hour after the one it began in."""
    began = int(case.received.timestamp()) // 3600
    return bin_of(max(0, int(now.timestamp()) // 3600 - began - 1) * 3600)


def _expected(
    metric: str, group: str, now: datetime, level: str = "BODY"
) -> tuple[int, tuple[float | None, ...]]:
    mine = [c for c in CASES if (c.body if level == "BODY" else c.source) == group]
    if metric == "ON_TIME":
        answered = [c for c in mine if c.answer_after is not None]
        on_time = sum(1 for c in answered if c.answer_after and c.answer_after < 30 * DAY)
        return len(answered), wilson(on_time, len(answered))
    attribute = "answer_after" if metric == "FIRST_RESPONSE" else "close_after"
    events = [
        (bin_of(getattr(c, attribute).total_seconds()), True)
        if getattr(c, attribute) is not None
        else (_waited(c, now), False)
        for c in mine
    ]
    return len(events), kaplan_meier(events)


@pytest.mark.parametrize("metric", ["ON_TIME", "FIRST_RESPONSE", "RESOLUTION"])
def test_each_figure_equals_a_brute_force_recomputation(ranked: LiveServer, metric: str) -> None:
    now = datetime.now(UTC)
    rows = _rankings(ranked, metric)
    hidden = _hidden(ranked)

    assert {r["body"] for r in rows} == {c.body for c in CASES}
    _assert_recomputed(rows, metric, "BODY", hidden, now)
    ranks = [r["rank"] for r in rows if r["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    # Every body of 40 is ranked; on time, the silent one has only 15 answers judged.
    assert len(ranks) == (2 if metric == "ON_TIME" else 3)


def test_three_of_three_on_time_is_not_ranked_and_shows_no_share(ranked: LiveServer) -> None:
    rows = {r["body"]: r for r in _rankings(ranked, "ON_TIME")}

    small = rows["Орган три из трёх"]
    assert small["rank"] is None and small["unranked"] in ("TOO_FEW", "SUPPRESSED")
    assert small["estimate"] is None and small["lower"] is None and small["n"] is None
    assert rows["Орган десять из десяти"]["rank"] is None
    assert rows["Орган быстрый"]["rank"] == 1  # 39 of 40 beats every 100 % of fewer


@pytest.mark.parametrize("metric", ["FIRST_RESPONSE", "RESOLUTION"])
def test_leaving_slow_appeals_open_ranks_no_better_than_answering_them_late(
    ranked: LiveServer, metric: str
) -> None:
    rows = {r["body"]: r for r in _rankings(ranked, metric)}
    pages = {r["source"]: r for r in _rankings(ranked, metric, "SOURCE")}

    assert pages["pos:silent"]["rank"] > pages["pos:late"]["rank"]
    assert pages["pos:silent"]["estimate"] is None
    late, silent = rows["Орган поздний"], rows["Орган молчащий"]
    assert late["rank"] is not None and silent["rank"] is not None
    assert silent["rank"] > late["rank"]
    assert late["estimate"] == pytest.approx(
        representative(bin_of(LATE[0 if metric == "FIRST_RESPONSE" else 1].total_seconds()))
    )
    assert silent["estimate"] is None  # over half still wait: "at least", never a short median


@pytest.mark.parametrize("metric", ["ON_TIME", "FIRST_RESPONSE", "RESOLUTION"])
def test_each_source_figure_equals_a_brute_force_recomputation(
    ranked: LiveServer, metric: str
) -> None:
    now = datetime.now(UTC)
    rows = _rankings(ranked, metric, "SOURCE")
    hidden = _hidden(ranked, "SOURCE")

    # Appeals that came through no page make no group; a page of 20 is too few to rank.
    assert sorted(r["source"] for r in rows) == sorted({c.source for c in CASES if c.source})
    assert {r["body"] for r in rows} == {None}
    _assert_recomputed(rows, metric, "SOURCE", hidden, now)
    assert {r["source"] for r in rows if r["unranked"] == "TOO_FEW"} >= {
        "pos:fast-a",
        "pos:fast-b",
    }
    ranks = [r["rank"] for r in rows if r["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    assert len(ranks) == (1 if metric == "ON_TIME" else 2)


@pytest.mark.parametrize("level", ["BODY", "DEPARTMENT", "SOURCE"])
def test_graphql_and_the_open_data_give_the_same_numbers(ranked: LiveServer, level: str) -> None:
    text = httpx.get(f"{ranked.url}/opendata/2025-10/rankings.csv", timeout=60).text
    published = list(csv.DictReader(io.StringIO(text)))

    for metric in ("ON_TIME", "FIRST_RESPONSE", "RESOLUTION"):
        mine = [
            r for r in published if r["metric"] == metric.lower() and r["level"] == level.lower()
        ]
        answer = _rankings(ranked, metric, level)
        assert [
            (
                r["body"] or None,
                r["source"] or None,
                r["department"] or None,
                r["rank"] or None,
                r["unranked"] or None,
                r["n"] or None,
            )
            for r in mine
        ] == [
            (
                g["body"],
                g["source"],
                g["department"],
                _text(g["rank"]),
                _text(g["unranked"], lower=True),
                _text(g["n"]),
            )
            for g in answer
        ]
        for row, group in zip(mine, answer, strict=True):
            for name in ("estimate", "lower", "upper"):
                value = group[name]
                assert (row[name] == "") if value is None else float(row[name]) == round(value, 6)


def _assert_recomputed(
    rows: list[dict[str, Any]], metric: str, level: str, hidden: set[str], now: datetime
) -> None:
    """Each row's figures equal a brute-force recomputation, or it says why it is not ranked."""
    group = "source" if level == "SOURCE" else "body"
    for row in rows:
        n, (estimate, lower, upper) = _expected(metric, row[group], now, level)
        if row[group] in hidden:
            assert row["unranked"] == "SUPPRESSED" and row["n"] is None
        elif n < 30:
            assert row["unranked"] == "TOO_FEW" and row["n"] is None
        else:
            assert row["unranked"] is None and row["rank"] is not None
            assert row["n"] == n
            assert (row["estimate"], row["lower"], row["upper"]) == _approx(estimate, lower, upper)


def _approx(*values: float | None) -> tuple[object, ...]:
    return tuple(None if v is None else pytest.approx(v, rel=1e-12) for v in values)


def _text(value: object, *, lower: bool = False) -> str | None:
    if value is None:
        return None
    return str(value).lower() if lower else str(value)
