"""Open data: the public sees statistics, never people, and never a group of 1–4 as numbers."""

from __future__ import annotations

import uuid

import pytest

from ledger.values import Role
from tests.api.inprocess import InProcessServer


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What these tests check is the app's answer: it is served in this process, on both stores."""
    return in_process


QUERY = """query($body: String!) {
  statistics(filter: {body: $body}, groupBy: [CHANNEL], period: MONTH) {
    channel suppressed count countsByStatus { status count } firstResponseP50 onTimeShare
  }
}"""


def _receive(live: InProcessServer, token: str, body: str, channel: str) -> None:
    answer = live.post(
        "mutation($e: String!, $b: String!, $c: Channel!) { receiveAppeal(input: {channel: $c, "
        'externalId: $e, text: "Обращение", body: $b}) { created } }',
        {"e": uuid.uuid4().hex, "b": body, "c": channel},
        token=token,
    ).json()
    assert answer["data"]["receiveAppeal"]["created"] is True


def test_a_group_of_three_is_suppressed_for_the_public_but_not_for_staff(
    live: InProcessServer,
) -> None:
    supervisor = live.token(Role.SUPERVISOR)
    body = f"Орган {uuid.uuid4().hex[:6]}"
    for _ in range(3):
        _receive(live, supervisor, body, "VK")
    for _ in range(5):
        _receive(live, supervisor, body, "TELEGRAM")

    public = live.post(QUERY, {"body": body}).json()["data"]["statistics"]
    staff = live.post(QUERY, {"body": body}, token=supervisor).json()["data"]["statistics"]

    by_channel = {group["channel"]: group for group in public}
    assert by_channel["vk"] == {
        "channel": "vk",
        "suppressed": True,
        "count": None,
        "countsByStatus": None,
        "firstResponseP50": None,
        "onTimeShare": None,
    }
    # The body's total minus telegram's 5 would give vk's 3: telegram is hidden along with it.
    assert by_channel["telegram"]["suppressed"] is True
    assert by_channel["telegram"]["count"] is None
    assert {g["channel"]: g["count"] for g in staff} == {"vk": 3, "telegram": 5}


def test_the_public_cannot_reach_appeals_or_their_text(live: InProcessServer) -> None:
    queries = [
        "{ appeals(first: 1) { edges { node { text } } } }",
        '{ appeal(id: "00000000-0000-0000-0000-000000000000") { text } }',
        "{ workload { openCount } }",
    ]

    codes = [live.post(q).json()["errors"][0]["extensions"]["code"] for q in queries]

    assert codes == ["UNAUTHENTICATED"] * 3
