"""Statistics count a duplicated problem once where they say so (``problems``), on both stores.

Three citizens write about one street light; two of their appeals are closed as duplicates
of the first. Four other appeals of the same cell make it large enough for the public to see.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import build, read_side
from api.container import Container
from api.settings import Settings
from ledger.values import Actor, Role
from tests.api.inprocess import REPLAY_CLOCK_SKEW, InProcessServer
from tests.api.published import wait_published
from tests.waiting import until

MONTH = 'receivedFrom: "2025-05-01", receivedTo: "2025-05-31"'
OFFICER = Actor("problems-officer", Role.OPERATOR)
AT = datetime(2025, 5, 13, 7, tzinfo=UTC)
BODY = "Администрация района"
OTHERS = 4


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    return in_process


@pytest.fixture(scope="module")
def ledger_of(live: InProcessServer) -> Iterator[Container]:
    settings = {"APPEALS_DATABASE_URL": live.database_url, "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW}
    container = build(Settings.from_environ(settings))
    yield container
    container.close()


@pytest.fixture(scope="module")
def cluster(ledger_of: Container) -> list[UUID]:
    """The three appeals about one problem (the first is the original), and four others."""
    ledger = ledger_of.ledger
    ids = []
    texts = ["Не горит фонарь у дома 5"] * 3 + ["Яма во дворе"] * OTHERS
    for n, text in enumerate(texts):
        got = ledger.receive_appeal(
            channel="vk",
            external_id=f"problems-{n}",
            text=text,
            body=BODY,
            category="освещение",
            at=AT + timedelta(minutes=10 * n),
        )
        ids.append(got.appeal_id)
    closing = AT + timedelta(hours=3)
    for duplicate in ids[1:3]:
        ledger.close_appeal(
            duplicate, outcome="duplicate", duplicate_of=ids[0], actor=OFFICER, at=closing
        )
    return ids


def _staff(live: InProcessServer) -> dict[str, Any]:
    query = f"{{ statistics(filter: {{{MONTH}}}) {{ count problems suppressed }} }}"
    groups: list[dict[str, Any]] = live.post(query, token=live.token(Role.SUPERVISOR)).json()[
        "data"
    ]["statistics"]
    return groups[0] if groups else {"count": 0, "problems": 0}


def _public(live: InProcessServer) -> dict[str, Any]:
    query = f"{{ statistics(filter: {{{MONTH}}}) {{ count problems suppressed }} }}"
    groups: list[dict[str, Any]] = live.post(query).json()["data"]["statistics"]
    return groups[0]


def _open_data(live: InProcessServer) -> dict[str, str]:
    wait_published(live.database_url)
    rows = csv.DictReader(io.StringIO(live.http.get("/opendata/2025-05/monthly.csv").text))
    return next(iter(rows))


def _figures(live: InProcessServer, expected: tuple[int, int]) -> list[tuple[object, ...]]:
    until(lambda: (_staff(live)["count"], _staff(live)["problems"]) == expected, timeout=60)
    public, published = _public(live), _open_data(live)
    return [
        (_staff(live)["count"], _staff(live)["problems"]),
        (public["count"], public["problems"], public["suppressed"]),
        (int(published["received"]), int(published["problems"]), published["suppressed"]),
    ]


def test_duplicates_count_as_appeals_but_once_as_a_problem_until_reopened_and_after_a_rebuild(
    live: InProcessServer, cluster: list[UUID], ledger_of: Container
) -> None:
    closed = _figures(live, (3 + OTHERS, 1 + OTHERS))
    ledger_of.ledger.reopen_appeal(
        cluster[2], reason="Это другой фонарь", actor=OFFICER, at=AT + timedelta(hours=5)
    )
    reopened = _figures(live, (7, 6))

    read_side(ledger_of).runner.rebuild()
    rebuilt = _figures(live, (7, 6))

    assert closed == [(7, 5), (7, 5, False), (7, 5, "false")]
    assert reopened == rebuilt == [(7, 6), (7, 6, False), (7, 6, "false")]
