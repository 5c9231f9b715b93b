"""Statistics by source (official page): staff see each page, the public sees it within its channel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.bootstrap import build
from api.settings import Settings
from ledger.values import Role
from tests.api.inprocess import REPLAY_CLOCK_SKEW, InProcessServer
from tests.waiting import until

MONTH = 'receivedFrom: "2025-06-01", receivedTo: "2025-06-30"'
FIELDS = "channel source suppressed count"


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    return in_process


@pytest.fixture(scope="module")
def pages(live: InProcessServer) -> str:
    """One body's June: 7 appeals through its VK page, 6 through a second one, 3 through its
    Telegram bot and 8 through no page; the returned body names them."""
    body = f"Орган {uuid.uuid4().hex[:6]}"
    container = build(
        Settings.from_environ(
            {"APPEALS_DATABASE_URL": live.database_url, "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW}
        )
    )
    counts = {("vk", "vk:1"): 7, ("vk", "vk:2"): 6, ("telegram", "telegram:gov_bot"): 3}
    plan: list[tuple[str, str | None]] = [key for key, n in counts.items() for _ in range(n)]
    plan += [("pos", None)] * 8
    for n, (channel, source) in enumerate(plan):
        container.ledger.receive_appeal(
            channel=channel,
            external_id=f"{body}-{n}",
            text="Обращение",
            body=body,
            at=datetime(2025, 6, 2, 9, tzinfo=UTC) + timedelta(hours=n),
            source=source,
        )
    container.close()
    staff = live.token(Role.SUPERVISOR)
    until(lambda: sum(g["count"] for g in _ask(live, body, "", staff)) == len(plan), timeout=60)
    return body


def _ask(
    live: InProcessServer, body: str, rest: str, token: str | None = None
) -> list[dict[str, Any]]:
    answer = live.post(
        f'{{ statistics(filter: {{{MONTH}, body: "{body}"{rest}}}, groupBy: [SOURCE]) '
        f"{{ {FIELDS} }} }}",
        token=token,
    ).json()
    groups: list[dict[str, Any]] = answer["data"]["statistics"]
    return groups


def test_staff_group_and_filter_by_source(live: InProcessServer, pages: str) -> None:
    staff = live.token(Role.SUPERVISOR)

    grouped = _ask(live, pages, "", staff)
    one = _ask(live, pages, ', source: "vk:2"', staff)

    assert {g["source"]: g["count"] for g in grouped} == {
        None: 8,
        "vk:1": 7,
        "vk:2": 6,
        "telegram:gov_bot": 3,
    }
    assert [(g["source"], g["count"]) for g in one] == [("vk:2", 6)]


def test_the_public_gets_a_source_within_its_channel_with_small_pages_hidden(
    live: InProcessServer, pages: str
) -> None:
    public = _ask(live, pages, "")
    by_filter = _ask(live, pages, ', source: "telegram:gov_bot"')
    bad = live.post(f'{{ statistics(filter: {{{MONTH}, source: "gov_bot"}}) {{ count }} }}').json()

    shown = {(g["channel"], g["source"]): g for g in public}
    assert set(shown) == {
        ("pos", None),
        ("vk", "vk:1"),
        ("vk", "vk:2"),
        ("telegram", "telegram:gov_bot"),
    }
    assert shown[("telegram", "telegram:gov_bot")]["suppressed"] is True
    assert shown[("telegram", "telegram:gov_bot")]["count"] is None
    # Three is a small group: none of its numbers is published, whichever way it is asked.
    assert [g["count"] for g in by_filter] == [None]
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "channel:id" in bad["errors"][0]["message"]
