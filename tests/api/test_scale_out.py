"""Two API processes on one PostgreSQL: shared subscriptions, one projection duty, failover."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from ledger.values import Role
from tests.api.conftest import LiveServer, start_server, stop_server
from tests.waiting import until

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: VK, externalId: $e,"
    ' text: "Яма", body: "Орган"}) { appeal { id status } position created } }'
)
REGISTER = (
    'mutation($id: ID!) { registerAppeal(input: {appealId: $id, number: "ОГ-7"})'
    " { appeal { status } } }"
)


@pytest.fixture
def pair(postgres_url: str, tmp_path: Path) -> Iterator[list[LiveServer]]:
    """Two servers on one fresh database."""
    servers = [start_server(postgres_url, tmp_path / f"server-{n}.log") for n in range(2)]
    yield servers
    for server in servers:
        stop_server(server)


def _duty(server: LiveServer) -> float:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    line = next(row for row in text.splitlines() if row.startswith("appeals_projection_duty "))
    return float(line.split()[1])


def test_exactly_one_process_runs_the_projections_and_both_read_their_writes(
    pair: list[LiveServer],
) -> None:
    until(lambda: sum(_duty(s) for s in pair) == 1, every=0.1)

    for n, server in enumerate(pair * 2):
        token = server.token(Role.OPERATOR)
        made = server.post(RECEIVE, {"e": f"rw-{n}"}, token=token).json()["data"]["receiveAppeal"]
        assert made["created"] is True
        assert made["appeal"]["status"] == "RECEIVED"  # the view already holds it


def test_the_standby_takes_over_when_the_leader_stops(pair: list[LiveServer]) -> None:
    until(lambda: sum(_duty(s) for s in pair) == 1, every=0.1)
    leader, standby = sorted(pair, key=_duty, reverse=True)

    stop_server(leader)
    until(lambda: _duty(standby) == 1, every=0.1)

    token = standby.token(Role.OPERATOR)
    made = standby.post(RECEIVE, {"e": "after-failover"}, token=token).json()["data"]
    assert made["receiveAppeal"]["appeal"]["status"] == "RECEIVED"


def test_a_subscriber_on_one_process_sees_writes_through_the_other(
    pair: list[LiveServer],
) -> None:
    reader, writer = pair
    token = reader.token(Role.SUPERVISOR)
    external = f"x-{uuid.uuid4().hex[:8]}"

    async def scenario() -> list[str]:
        transport = WebsocketsTransport(
            url=reader.graphql.replace("http://", "ws://"),
            headers={"authorization": f"Bearer {token}"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        seen: list[str] = []
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            subscription = gql("subscription { appealEvents { type data } }")

            async def listen() -> None:
                async for result in session.subscribe(subscription):
                    event = result["appealEvents"]
                    if event["data"].get("external_id") == external or seen:
                        seen.append(event["type"])
                    if len(seen) == 2:
                        return

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0.5)
            made = await asyncio.to_thread(writer.post, RECEIVE, {"e": external}, token=token)
            appeal_id = made.json()["data"]["receiveAppeal"]["appeal"]["id"]
            await asyncio.to_thread(writer.post, REGISTER, {"id": appeal_id}, token=token)
            await asyncio.wait_for(listener, timeout=20)
        return seen

    assert asyncio.run(scenario()) == ["Received", "Registered"]
