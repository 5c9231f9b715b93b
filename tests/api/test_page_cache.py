"""The page cache of the appeals list: kept answers never hide a write, a scope or the clock."""

from __future__ import annotations

import re
from datetime import datetime
from typing import cast

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from api.graphql.page_cache import PageCache
from api.graphql.schema import schema
from api.graphql.view import LedgerGraphQL
from tests.api.conftest import LiveServer
from tests.api.desk import Desk
from tests.api.inprocess import InProcessServer

PAGE = """query Page($f: AppealFilterInput) {
  appeals(first: 50, filter: $f) {
    edges { cursor node { id status receivedAt overdue nextDueAt version } }
    pageInfo { hasNextPage endCursor } totalCount } }"""


def _hits(live: InProcessServer, result: str) -> float:
    text = live.http.get("/metrics").text
    found = re.search(rf'^appeals_page_cache_total{{result="{result}"}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def _desk(live: InProcessServer) -> Desk:
    return Desk(cast(LiveServer, live))  # the same calls as a LiveServer's


def _view(live: InProcessServer) -> LedgerGraphQL:
    app = cast(TestClient, live.http).app
    for route in cast(Starlette, app).routes:
        if isinstance(route, Route) and isinstance(route.app, LedgerGraphQL):
            return route.app
    raise AssertionError("no GraphQL route")


def test_the_same_page_is_served_from_the_cache_until_a_write_moves_the_views(
    in_process: InProcessServer,
) -> None:
    desk = _desk(in_process)
    first = desk.receive()
    where: dict[str, object] = {"f": {"body": desk.body}}
    hits = _hits(in_process, "hit")

    before = desk.query(PAGE, where)
    again = desk.query(PAGE, where)
    hits_after_repeat = _hits(in_process, "hit")
    second = desk.receive()
    after = desk.query(PAGE, where)

    assert again == before
    assert hits_after_repeat == hits + 1
    assert [e["node"]["id"] for e in before["appeals"]["edges"]] == [first]
    assert [e["node"]["id"] for e in after["appeals"]["edges"]] == [second, first]
    assert after["appeals"]["totalCount"] == 2


def test_a_kept_page_is_never_served_to_another_scope(in_process: InProcessServer) -> None:
    desk = _desk(in_process)
    lights, roads = desk.receive(), desk.receive()
    desk.do("assignAppeal", {"appealId": lights, "department": "Свет", "assignee": "a"})
    desk.do("assignAppeal", {"appealId": roads, "department": "Дороги", "assignee": "b"})
    where: dict[str, object] = {"f": {"body": desk.body}}

    supervisor = desk.query(PAGE, where)
    desk.query(PAGE, where)  # kept for the supervisor now
    light = desk.query(PAGE, where, desk.operator("Свет"))
    road = desk.query(PAGE, where, desk.operator("Дороги"))
    stranger = _desk(in_process).query(PAGE, {})

    assert [e["node"]["id"] for e in supervisor["appeals"]["edges"]] == [roads, lights]
    assert [e["node"]["id"] for e in light["appeals"]["edges"]] == [lights]
    assert [e["node"]["id"] for e in road["appeals"]["edges"]] == [roads]
    assert stranger["appeals"]["edges"] == []


def test_a_page_is_kept_only_until_its_first_row_falls_due(in_process: InProcessServer) -> None:
    desk = _desk(in_process)
    desk.receive(channel="EMAIL")
    desk.receive(channel="WEB")
    where: dict[str, object] = {"f": {"body": desk.body}}
    cache = _view(in_process).page_cache

    page = desk.query(PAGE, where)
    answers = cast(dict[tuple[object, ...], tuple[str, datetime]], cache._answers)
    kept = [
        until for key, (_, until) in answers.items() if desk.body.encode() in cast(bytes, key[2])
    ]
    overdue_pages_before = _hits(in_process, "miss")
    desk.query(PAGE, {"f": {"body": desk.body, "overdue": False}})
    desk.query(PAGE, {"f": {"body": desk.body, "overdue": False}})

    dues = [datetime.fromisoformat(e["node"]["nextDueAt"]) for e in page["appeals"]["edges"]]
    assert all(not e["node"]["overdue"] for e in page["appeals"]["edges"])
    assert min(dues) in kept
    # A filter on overdue changes with the clock alone: such pages are never kept.
    assert _hits(in_process, "miss") == overdue_pages_before + 2


@pytest.mark.parametrize(
    ("document", "kept"),
    [
        (PAGE, True),
        ("{ appeals { edges { node { id __typename } } pageInfo { endCursor } } }", True),
        ("{ appeals { edges { node { id text } } } }", False),
        ("{ appeals { edges { node { id duplicateOf { id } } } } }", False),
        ("{ appeals { edges { node { similar(first: 2) { score } } } } }", False),
        ("{ appeals { edges { node { ...F } } } } fragment F on Appeal { id }", False),
        ("{ appeals { edges { node { id @include(if: true) } } } }", False),
        ("{ appeals { totalCount } viewer { role } }", False),
        ('{ appeal(id: "x") { id } }', False),
        ("mutation { addAppealNote(input: {}) { appeal { id } } }", False),
        ("query A { appeals { totalCount } } query B { appeals { totalCount } }", False),
        ("{ appeals {", False),
    ],
)
def test_only_lists_of_plain_fields_are_kept(document: str, kept: bool) -> None:
    assert PageCache(schema._schema, 8).accepts(document, None) is kept


def test_the_cache_keeps_at_most_its_size_and_nothing_past_its_time() -> None:
    cache = PageCache(schema._schema, 2)
    now = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    later = datetime.fromisoformat("2026-01-02T00:00:00+00:00")
    for key in ("a", "b", "c"):
        cache.put(key, key, later)

    assert cache.get("a", now) is None
    assert cache.get("c", now) == "c"
    assert cache.get("b", later) is None
    assert PageCache(schema._schema, 0).accepts(PAGE, None) is False
