"""An appeal's whole life through the public API, with the gql client, on both stores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from gql import Client, gql

from ledger.values import Role
from tests.api.conftest import LiveServer
from tests.api.gql_client import ask, client, command


def _receive(supervisor: Client, **values: object) -> dict[str, Any]:
    """``receiveAppeal`` through the gql client: its whole payload."""
    return command(supervisor, "receiveAppeal", values)


def test_an_appeal_lives_its_whole_life_through_the_api(live: LiveServer) -> None:
    supervisor = client(live, live.token(Role.SUPERVISOR, body="Администрация города"))
    message = {
        "channel": "POS",
        "externalId": f"vk-{uuid.uuid4().hex[:8]}",
        "text": "Не горят фонари на улице Мира",
        "body": "Администрация города",
    }
    citizen = {"name": "Иван Петров", "contact": "+7 900"}

    received = _receive(supervisor, **message, citizen=citizen)
    appeal_id = received["appeal"]["id"]
    again = _receive(supervisor, **message)
    steps: list[tuple[str, dict[str, object]]] = [
        ("registerAppeal", {"number": "ОГ-77"}),
        ("assignAppeal", {"department": "Свет", "assignee": "ivanova"}),
        ("answerAppeal", {"text": "Фонари починили", "final": True}),
        ("closeAppeal", {"outcome": "RESOLVED"}),
    ]
    results = [
        command(supervisor, name, {"appealId": appeal_id, **values}) for name, values in steps
    ]
    between = datetime.now(UTC).isoformat()
    reopened = command(
        supervisor, "reopenAppeal", {"appealId": appeal_id, "reason": "Снова не горят"}
    )
    command(supervisor, "answerAppeal", {"appealId": appeal_id, "text": "Заменили кабель"})
    rated = command(supervisor, "rateAppeal", {"appealId": appeal_id, "score": 5})

    assert received["created"] is True
    assert again["created"] is False
    assert again["appeal"]["id"] == appeal_id
    assert [r["appeal"]["status"] for r in results] == [
        "REGISTERED",
        "ASSIGNED",
        "ANSWERED",
        "CLOSED",
    ]
    assert results[1]["appeal"]["department"] == "Свет"
    assert reopened["appeal"]["status"] == "ASSIGNED"
    assert reopened["appeal"]["reopenCount"] == 1
    assert rated["appeal"]["rating"] == 5
    assert rated["appeal"]["version"] == 8
    positions = [r["position"] for r in results]
    assert positions == sorted(positions)

    read = ask(
        supervisor,
        gql("""
        query Read($id: ID!, $at: DateTime!) {
          appeal(id: $id) {
            status text citizen { name contact masked }
            dueDates { kind dueAt rule countedFrom }
            history { position version type actor { id role } data }
            asOf(at: $at) { status version outcome }
          }
          node(id: $id) { id ... on Appeal { status } }
        }"""),
        {"id": appeal_id, "at": between},
    )
    appeal = read["appeal"]
    assert appeal["text"] == "Не горят фонари на улице Мира"
    assert appeal["citizen"] == {"name": "Иван Петров", "contact": "+7 900", "masked": False}
    assert [h["type"] for h in appeal["history"]] == [
        "Received",
        "Registered",
        "Assigned",
        "Answered",
        "Closed",
        "Reopened",
        "Answered",
        "Rated",
    ]
    assert all(h["actor"]["role"] == "SUPERVISOR" for h in appeal["history"])
    assert appeal["history"][1]["data"] == {"number": "ОГ-77", "special_terms": []}
    assert appeal["asOf"] == {"status": "CLOSED", "version": 5, "outcome": "RESOLVED"}
    assert {d["kind"] for d in appeal["dueDates"]} == {"REGISTRATION", "FORWARDING", "ANSWER"}
    assert read["node"]["status"] == "ANSWERED"


def test_pages_of_appeals_and_statistics_read_the_views(live: LiveServer) -> None:
    supervisor = client(live, live.token(Role.SUPERVISOR))
    tag = uuid.uuid4().hex[:6]
    for n in range(7):
        _receive(
            supervisor,
            channel="TELEGRAM",
            externalId=f"page-{tag}-{n}",
            text=f"Обращение {n}",
            body=f"Орган {tag}",
        )
    page_query = gql("""
        query Page($after: String, $body: String!) {
          appeals(first: 3, after: $after, filter: {body: $body}) {
            totalCount edges { cursor node { uuid } } pageInfo { hasNextPage endCursor }
          }
        }""")

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = ask(supervisor, page_query, {"after": after, "body": f"Орган {tag}"})["appeals"]
        pages += 1
        seen += [edge["node"]["uuid"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    stats = ask(
        supervisor,
        gql("""
        query Stats($body: String!) {
          statistics(filter: {body: $body}, groupBy: [CHANNEL]) {
            channel count suppressed countsByStatus { status count }
          }
        }"""),
        {"body": f"Орган {tag}"},
    )["statistics"]

    assert pages == 3
    assert len(seen) == 7
    assert len(set(seen)) == 7
    assert page["totalCount"] == 7
    assert len(stats) == 1
    assert (stats[0]["channel"], stats[0]["count"], stats[0]["suppressed"]) == (
        "telegram",
        7,
        False,
    )
    nonzero = {c["status"]: c["count"] for c in stats[0]["countsByStatus"] if c["count"]}
    assert nonzero == {"RECEIVED": 7}


def test_a_page_without_total_count_lists_the_same_appeals(live: LiveServer) -> None:
    supervisor = client(live, live.token(Role.SUPERVISOR))
    tag = uuid.uuid4().hex[:6]
    for n in range(3):
        _receive(
            supervisor, channel="OK", externalId=f"nc-{tag}-{n}", text="Текст", body=f"Б {tag}"
        )
    with_total = gql(
        "query($b: String!) { appeals(first: 10, filter: {body: $b}) "
        "{ totalCount edges { node { uuid } } } }"
    )
    without_total = gql(
        "query($b: String!) { appeals(first: 10, filter: {body: $b}) { edges { node { uuid } } } }"
    )

    counted = ask(supervisor, with_total, {"b": f"Б {tag}"})["appeals"]
    plain = ask(supervisor, without_total, {"b": f"Б {tag}"})["appeals"]

    assert counted["totalCount"] == 3
    assert plain["edges"] == counted["edges"]
    assert "totalCount" not in plain


def test_edge_cursors_resume_a_due_date_ordered_list_past_appeals_without_a_due_date(
    live: LiveServer,
) -> None:
    supervisor = client(live, live.token(Role.SUPERVISOR))
    tag = uuid.uuid4().hex[:6]
    for n in range(4):
        made = _receive(
            supervisor, channel="VK", externalId=f"due-{tag}-{n}", text="Текст", body=f"Д {tag}"
        )
        if n % 2:  # answered and closed: no due date left, sorted last
            appeal_id = made["appeal"]["id"]
            command(supervisor, "answerAppeal", {"appealId": appeal_id, "text": "Готово"})
            command(supervisor, "closeAppeal", {"appealId": appeal_id, "outcome": "RESOLVED"})
    page = gql(
        "query($b: String!, $after: String) { appeals(first: 1, after: $after, "
        "orderBy: DUE_AT_ASC, filter: {body: $b}) { edges { cursor node { uuid } } "
        "pageInfo { endCursor hasNextPage } } }"
    )

    seen, after = [], None
    for _ in range(6):
        result = ask(supervisor, page, {"b": f"Д {tag}", "after": after})["appeals"]
        seen += [edge["node"]["uuid"] for edge in result["edges"]]
        assert result["edges"][-1]["cursor"] == result["pageInfo"]["endCursor"]
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["edges"][-1]["cursor"]

    assert len(seen) == 4
    assert len(set(seen)) == 4
