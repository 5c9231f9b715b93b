"""Values and documents the API must refuse up front, over real HTTP and WebSocket.

A DateTime without a timezone offset (anywhere, as a literal or a variable), a business time
before the ledger's floor, and a document of several operations that names none to run.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from ledger.values import Role
from tests.api.conftest import LiveServer

NAIVE = "2024-01-01T00:00:00"
APPEALS = '{ appeals(filter: {%s: "%s"}) { totalCount } }'
BY_VARIABLE = "query($f: AppealFilterInput) { appeals(filter: $f) { totalCount } }"
PROTOCOL = Subprotocol("graphql-transport-ws")
TWO_OPERATIONS = "query A { ledger { head { size } } } query B { statistics { count } }"
RECEIVE = "mutation($i: ReceiveAppealInput!) { receiveAppeal(input: $i) { position } }"


def refused(response: httpx.Response, code: str) -> dict[str, Any]:
    body = response.json()
    assert body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code, error
    return dict(error)


def _received_at(received_at: str) -> dict[str, object]:
    """A new appeal's input, received at ``received_at``."""
    return {
        "channel": "WEB",
        "externalId": uuid.uuid4().hex,
        "text": "Яма",
        "body": "Администрация",
        "receivedAt": received_at,
    }


@pytest.mark.parametrize("field", ["receivedFrom", "receivedTo"])
def test_a_filter_time_without_an_offset_is_bad_user_input_naming_the_field(
    live: LiveServer, field: str
) -> None:
    token = live.token(Role.SUPERVISOR)

    literal = live.post(APPEALS % (field, NAIVE), token=token)
    variable = live.post(BY_VARIABLE, {"f": {field: NAIVE}}, token=token)

    for answer in (literal, variable):
        error = refused(answer, "BAD_USER_INPUT")
        assert error["extensions"]["field"] == field
        assert error["message"].startswith(f"{field} must carry a timezone offset")


@pytest.mark.parametrize("value", ["garbage", "2024-13-45T00:00:00+03:00"])
def test_a_filter_time_that_is_not_iso_8601_is_bad_user_input_naming_the_field(
    live: LiveServer, value: str
) -> None:
    token = live.token(Role.SUPERVISOR)

    literal = live.post(APPEALS % ("receivedFrom", value), token=token)
    variable = live.post(BY_VARIABLE, {"f": {"receivedFrom": value}}, token=token)

    for answer in (literal, variable):
        error = refused(answer, "BAD_USER_INPUT")
        assert error["extensions"]["field"] == "receivedFrom"
        assert error["message"].startswith("receivedFrom must be an ISO 8601 date and time")


def test_a_time_without_an_offset_is_refused_in_every_datetime_input(live: LiveServer) -> None:
    token = live.token(Role.SUPERVISOR)
    appeal = _received_at(NAIVE)
    as_of = 'query($id: ID!) { appeal(id: $id) { asOf(at: "2024-01-01T00:00") { version } } }'

    answers = {
        "receivedAt": live.post(RECEIVE, {"i": appeal}, token=token),
        "at": live.post(as_of, {"id": str(uuid.uuid4())}, token=token),
    }

    for field, answer in answers.items():
        assert refused(answer, "BAD_USER_INPUT")["extensions"]["field"] == field


def test_a_received_at_before_the_floor_is_bad_user_input_naming_it(live: LiveServer) -> None:
    token = live.token(Role.SUPERVISOR)
    appeal = _received_at("0001-01-01T00:00:00+00:00")

    answer = live.post(RECEIVE, {"i": appeal}, token=token)
    later = live.post(
        RECEIVE, {"i": {**appeal, "receivedAt": "2000-01-01T00:00:00+00:00"}}, token=token
    )

    error = refused(answer, "BAD_USER_INPUT")
    assert error["extensions"]["field"] == "receivedAt"
    assert "2000-01-01" in error["message"]
    assert later.json()["data"]["receiveAppeal"]["position"] is not None


def test_several_operations_and_no_operation_name_are_refused_not_the_first_run(
    live: LiveServer,
) -> None:
    token = live.token(Role.SUPERVISOR)
    headers = {"authorization": f"Bearer {token}"}
    modern = {**headers, "accept": "application/graphql-response+json"}

    legacy = httpx.post(live.graphql, json={"query": TWO_OPERATIONS}, headers=headers, timeout=30)
    spec = httpx.post(live.graphql, json={"query": TWO_OPERATIONS}, headers=modern, timeout=30)
    over_get = httpx.get(
        live.graphql,
        params={"query": TWO_OPERATIONS},
        headers={**headers, "accept": "application/json"},
        timeout=30,
    )
    named = httpx.post(
        live.graphql,
        json={"query": TWO_OPERATIONS, "operationName": "B"},
        headers=headers,
        timeout=30,
    )

    for answer in (legacy, over_get):
        assert answer.status_code == 200
        assert "operationName" in refused(answer, "GRAPHQL_VALIDATION_FAILED")["message"]
    assert spec.status_code == 400
    assert "data" not in spec.json()
    assert refused(spec, "GRAPHQL_VALIDATION_FAILED")
    assert "errors" not in named.json()
    assert list(named.json()["data"]) == ["statistics"]


def test_several_operations_without_a_name_are_refused_over_websocket(live: LiveServer) -> None:
    url = live.url.replace("http://", "ws://") + "/graphql"
    token = live.token(Role.SUPERVISOR)
    two = "subscription A { appealEvents { type } } subscription B { appealEvents { type } }"

    with connect(
        url,
        subprotocols=[PROTOCOL],
        open_timeout=10,
        additional_headers={"authorization": f"Bearer {token}"},
    ) as socket:
        socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(socket.recv(timeout=10))["type"] == "connection_ack"
        socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": two}}))
        reply = json.loads(socket.recv(timeout=10))

    assert reply["type"] == "error", reply
    assert "operationName" in reply["payload"][0]["message"]
