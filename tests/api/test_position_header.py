"""``X-Appeals-Position``: a mutation tells its write's log position; a client sends it back.

Across processes and with a standby, ``tests/api/test_standby_reads.py`` shows what the
header is for; here, what it looks like, on both stores.
"""

from __future__ import annotations

import uuid

import pytest

from ledger.values import Role
from tests.api.inprocess import InProcessServer

RECEIPT = (
    '{name}: receiveAppeal(input: {{channel: EMAIL, externalId: ${name}, text: "Проверка", '
    'body: "Орган"}}) {{ appeal {{ id }} position }}'
)
RECEIVE = "mutation($r: String!) { " + RECEIPT.format(name="r") + " }"
TWO = (
    "mutation($a: String!, $b: String!) { "
    + RECEIPT.format(name="a")
    + RECEIPT.format(name="b")
    + " }"
)
READ = "query($id: ID!) { appeal(id: $id) { id } }"


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    return in_process


def test_a_mutation_answers_its_position_in_a_header(live: InProcessServer) -> None:
    token = live.token(Role.SUPERVISOR)

    answer = live.post(RECEIVE, {"r": uuid.uuid4().hex}, token=token)

    body = answer.json()
    assert answer.headers["x-appeals-position"] == str(body["data"]["r"]["position"])


def test_several_mutations_in_one_request_answer_the_largest_position(
    live: InProcessServer,
) -> None:
    token = live.token(Role.SUPERVISOR)

    answer = live.post(TWO, {"a": uuid.uuid4().hex, "b": uuid.uuid4().hex}, token=token)

    data = answer.json()["data"]
    largest = max(data["a"]["position"], data["b"]["position"])
    assert answer.headers["x-appeals-position"] == str(largest)


def test_a_read_sending_the_position_back_finds_the_write(live: InProcessServer) -> None:
    token = live.token(Role.SUPERVISOR)
    wrote = live.post(RECEIVE, {"r": uuid.uuid4().hex}, token=token)
    appeal = wrote.json()["data"]["r"]["appeal"]["id"]
    headers = {
        "authorization": f"Bearer {token}",
        "x-appeals-position": wrote.headers["x-appeals-position"],
    }

    read = live.http.post(
        live.graphql, json={"query": READ, "variables": {"id": appeal}}, headers=headers
    )

    assert read.json() == {"data": {"appeal": {"id": appeal}}}
    assert "x-appeals-position" not in read.headers, "a read writes nothing"


@pytest.mark.parametrize("sent", ["abc", "-1", "1.5", "0x10", "9" * 20])
def test_a_position_that_is_not_a_whole_number_is_refused_with_a_code(
    live: InProcessServer, sent: str
) -> None:
    token = live.token(Role.SUPERVISOR)
    wrote = live.post(RECEIVE, {"r": uuid.uuid4().hex}, token=token)
    appeal = wrote.json()["data"]["r"]["appeal"]["id"]
    headers = {"authorization": f"Bearer {token}", "x-appeals-position": sent}

    read = live.http.post(
        live.graphql, json={"query": READ, "variables": {"id": appeal}}, headers=headers
    )

    error = read.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["header"] == "X-Appeals-Position"
    assert read.status_code < 500
