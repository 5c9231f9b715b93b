"""A graphql-transport-ws client for tests: one socket, one ``appealEvents`` subscription."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.api.conftest import LiveServer

EVENTS = "subscription { appealEvents { appealId type version data } }"
Message = dict[str, Any]


def open_socket(
    live: LiveServer,
    *,
    init: Mapping[str, object] | None = None,
    url_suffix: str = "",
    headers: Mapping[str, str] | None = None,
    protocol: str = "graphql-transport-ws",
) -> ClientConnection:
    """Connect and send ``connection_init`` (with ``init`` as its payload when given)."""
    url = live.graphql.replace("http://", "ws://") + url_suffix
    ws = connect(
        url,
        subprotocols=[Subprotocol(protocol)],
        additional_headers=dict(headers or {}),
        open_timeout=10,
    )
    message: Message = {"type": "connection_init"}
    if init is not None:
        message["payload"] = dict(init)
    ws.send(json.dumps(message))
    return ws


def subscribe(ws: ClientConnection, query: str = EVENTS) -> None:
    """Wait for the server's ``connection_ack``, then start the subscription."""
    assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
    ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": query}}))


def first_reply(ws: ClientConnection) -> Message:
    """The first message after the ack: an event, an error or a completion."""
    return json.loads(ws.recv(timeout=10))  # type: ignore[no-any-return]


def events_until(
    ws: ClientConnection, last: Callable[[Message], bool], timeout: float = 20.0
) -> list[Message]:
    """Every event received up to and including the first one ``last`` accepts."""
    deadline = time.monotonic() + timeout
    events: list[Message] = []
    while True:
        message = json.loads(ws.recv(timeout=max(0.0, deadline - time.monotonic())))
        assert message["type"] == "next", message
        event: Message = message["payload"]["data"]["appealEvents"]
        events.append(event)
        if last(event):
            return events


def command(live: LiveServer, token: str, name: str, values: Mapping[str, object]) -> Message:
    """Run one mutation; its appeal (``id``, ``version``)."""
    kind = name[0].upper() + name[1:] + "Input"
    response = live.post(
        f"mutation($input: {kind}!) {{ {name}(input: $input) {{ appeal {{ id version }} }} }}",
        {"input": dict(values)},
        token=token,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"][name]["appeal"]  # type: ignore[no-any-return]


def receive(live: LiveServer, token: str, body: str) -> str:
    """A new appeal of ``body``; its global id."""
    values = {"channel": "VK", "externalId": uuid.uuid4().hex, "text": "Яма", "body": body}
    return str(command(live, token, "receiveAppeal", values)["id"])


def until_subscribed(
    live: LiveServer, token: str, sockets: list[ClientConnection], probe: str, department: str
) -> None:
    """Assign ``probe`` again and again until every socket has received one of its events.

    graphql-transport-ws does not confirm a subscription; an event that arrives does.
    """
    waiting = list(sockets)
    for attempt in range(40):
        values = {"appealId": probe, "department": department, "assignee": f"probe-{attempt}"}
        command(live, token, "assignAppeal", values)
        waiting = [ws for ws in waiting if not _received(ws, probe, 0.5)]
        if not waiting:
            return
    raise AssertionError("a subscription never received its probe")


def _received(ws: ClientConnection, appeal_id: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    try:
        while True:
            message = json.loads(ws.recv(timeout=max(0.0, deadline - time.monotonic())))
            assert message["type"] == "next", message
            if message["payload"]["data"]["appealEvents"]["appealId"] == appeal_id:
                return True
    except TimeoutError:
        return False


def ask(ws: ClientConnection, operation_id: str, query: str, variables: Message) -> Message:
    """Run a query over an acknowledged connection; its single result."""
    payload = {"query": query, "variables": variables}
    ws.send(json.dumps({"type": "subscribe", "id": operation_id, "payload": payload}))
    message = json.loads(ws.recv(timeout=10))
    assert (message["type"], message["id"]) == ("next", operation_id), message
    done = json.loads(ws.recv(timeout=10))
    assert (done["type"], done["id"]) == ("complete", operation_id), done
    return message["payload"]  # type: ignore[no-any-return]
