"""``appealEvents`` over a real WebSocket: who receives which event, how clients log in, and
the gql client's subscription (as a frontend would use it)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from ledger.values import Role
from tests.api import gql_client
from tests.api.conftest import LiveServer
from tests.api.subscriber import (
    ask,
    command,
    events_until,
    first_reply,
    open_socket,
    receive,
    subscribe,
    until_subscribed,
)
from tests.waiting import until

OURS, THEIRS = "Благоустройство", "Дорожное хозяйство"
Connect = Callable[..., ClientConnection]


@pytest.fixture
def connect(live: LiveServer) -> Iterator[Connect]:
    """Opens graphql-transport-ws connections to the server and closes them after the test."""
    opened: list[ClientConnection] = []

    def open_one(**options: Any) -> ClientConnection:
        opened.append(open_socket(live, **options))
        return opened[-1]

    yield open_one
    for ws in opened:
        ws.close()


class Office(NamedTuple):
    """A body of its own for one test, with its supervisor's and an operator's (of OURS) tokens."""

    body: str
    supervisor: str
    operator: str


@pytest.fixture
def office(live: LiveServer) -> Office:
    body = f"Администрация {uuid.uuid4().hex[:6]}"
    supervisor = live.token(Role.SUPERVISOR, body=body)
    return Office(body, supervisor, live.token(Role.OPERATOR, body=body, department=OURS))


def test_a_subscriber_gets_the_events_of_appeals_in_its_scope_as_they_are_after_each_event(
    live: LiveServer, connect: Connect, office: Office
) -> None:
    body, supervisor, operator = office
    operator_ws = connect(headers={"authorization": f"Bearer {operator}"})
    auditor_ws = connect(headers={"authorization": f"Bearer {live.token(Role.AUDITOR)}"})
    public_ws = connect()
    for ws in (operator_ws, auditor_ws, public_ws):
        subscribe(ws)
    probe = receive(live, supervisor, body)
    until_subscribed(live, supervisor, [operator_ws, auditor_ws], probe, OURS)

    moved = receive(live, supervisor, body)
    steps: list[tuple[str, dict[str, object]]] = [
        ("assignAppeal", {"department": OURS, "assignee": "ivanova"}),
        ("answerAppeal", {"text": "Ответ благоустройства", "final": False}),
        ("assignAppeal", {"department": THEIRS, "assignee": "petrov"}),
        ("answerAppeal", {"text": "Ответ дорожников", "final": True}),
    ]
    for name, values in steps:
        command(live, supervisor, name, {"appealId": moved, **values})
    values = {"appealId": probe, "department": OURS, "assignee": "last"}
    command(live, supervisor, "assignAppeal", values)

    def is_last(event: dict[str, object]) -> bool:
        return event["appealId"] == probe and event["data"]["assignee"] == "last"  # type: ignore[index]

    operator_saw = events_until(operator_ws, is_last)
    auditor_saw = events_until(auditor_ws, is_last)
    public_reply = first_reply(public_ws)
    direct = live.post("query($id: ID!) { appeal(id: $id) { id } }", {"id": moved}, token=operator)

    def of_moved(events: list[dict[str, object]]) -> list[tuple[object, object]]:
        return [(e["type"], e["version"]) for e in events if e["appealId"] == moved]

    assert of_moved(operator_saw) == [("Assigned", 2), ("Answered", 3)]
    assert "Ответ дорожников" not in json.dumps(operator_saw, ensure_ascii=False)
    assert direct.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert of_moved(auditor_saw) == [
        ("Received", 1),
        ("Assigned", 2),
        ("Answered", 3),
        ("Assigned", 4),
        ("Answered", 5),
    ]
    assert public_reply["type"] == "next"
    assert public_reply["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_query_over_a_long_lived_websocket_sees_the_appeal_as_it_is_now(
    live: LiveServer, connect: Connect, office: Office
) -> None:
    body, supervisor, operator = office
    appeal = receive(live, supervisor, body)
    command(
        live,
        supervisor,
        "assignAppeal",
        {"appealId": appeal, "department": OURS, "assignee": "ivanova"},
    )
    ws = connect(init={"Authorization": f"Bearer {operator}"})
    assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
    query = "query($id: ID!) { appeal(id: $id) { department assignee } }"
    before = ask(ws, "1", query, {"id": appeal})

    command(
        live,
        supervisor,
        "assignAppeal",
        {"appealId": appeal, "department": THEIRS, "assignee": "petrov"},
    )
    after = ask(ws, "2", query, {"id": appeal})

    assert before["data"]["appeal"] == {"department": OURS, "assignee": "ivanova"}
    assert after["data"]["appeal"] is None
    assert after["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("key", ["Authorization", "authorization"])
def test_a_token_in_the_connection_init_payload_signs_the_subscriber_in(
    live: LiveServer, connect: Connect, office: Office, key: str
) -> None:
    body, supervisor, _ = office
    ws = connect(init={key: f"Bearer {supervisor}"})
    subscribe(ws)
    probe = receive(live, supervisor, body)

    until_subscribed(live, supervisor, [ws], probe, OURS)
    command(live, supervisor, "answerAppeal", {"appealId": probe, "text": "Ответ", "final": True})
    saw = events_until(ws, lambda event: event["type"] == "Answered")

    assert saw[-1]["appealId"] == probe
    assert saw[-1]["data"]["text"] == "Ответ"


def test_a_token_in_the_url_signs_the_subscriber_in_and_never_reaches_the_log(
    live: LiveServer, connect: Connect, office: Office
) -> None:
    body, supervisor, _ = office
    ws = connect(url_suffix=f"?token={supervisor}")
    subscribe(ws)
    probe = receive(live, supervisor, body)

    until_subscribed(live, supervisor, [ws], probe, OURS)
    until(lambda: "WebSocket /graphql?token=" in live.log.read_text())

    assert supervisor not in live.log.read_text()
    assert "WebSocket /graphql?token=[redacted]" in live.log.read_text()


@pytest.mark.parametrize(
    "init",
    [
        {"Authorization": "Bearer not-a-token"},
        {"authorization": "Basic dXNlcg=="},
        {"Authorization": 42},
    ],
)
def test_a_bad_token_in_the_connection_init_payload_is_refused_with_4403(
    live: LiveServer, connect: Connect, init: dict[str, object]
) -> None:
    ws = connect(init=init)

    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_a_bad_token_in_a_legacy_graphql_ws_connection_init_is_a_coded_connection_error(
    live: LiveServer, connect: Connect
) -> None:
    ws = connect(init={"Authorization": "Bearer not-a-token"}, protocol="graphql-ws")

    reply = json.loads(ws.recv(timeout=10))

    assert reply["type"] == "connection_error"
    assert reply["payload"]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_subscriber_receives_events_another_client_records(live: LiveServer) -> None:
    token = live.token(Role.SUPERVISOR)
    ws_url = live.graphql.replace("http://", "ws://")
    external = f"sub-{uuid.uuid4().hex[:8]}"

    async def scenario() -> list[dict]:  # type: ignore[type-arg]
        transport = WebsocketsTransport(
            url=ws_url,
            headers={"authorization": f"Bearer {token}"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        received: list[dict] = []  # type: ignore[type-arg]
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            subscription = gql(
                'subscription { appealEvents(filter: {types: ["Received", "Registered"]}) '
                "{ appealId type position data } }"
            )

            async def listen() -> None:
                async for result in session.subscribe(subscription):
                    event = result["appealEvents"]
                    if event["data"].get("external_id") == external or received:
                        received.append(event)
                    if len(received) == 2:
                        return

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0.5)
            writer = gql_client.client(live, token)
            made = await asyncio.to_thread(
                gql_client.command,
                writer,
                "receiveAppeal",
                {"channel": "VK", "externalId": external, "text": "Подписка", "body": "Орган"},
            )
            await asyncio.to_thread(
                gql_client.command,
                writer,
                "registerAppeal",
                {"appealId": made["appeal"]["id"], "number": "ОГ-1"},
            )
            await asyncio.wait_for(listener, timeout=20)
        return received

    events = asyncio.run(scenario())

    assert [e["type"] for e in events] == ["Received", "Registered"]
    assert events[0]["appealId"] == events[1]["appealId"]
    assert events[0]["position"] < events[1]["position"]
