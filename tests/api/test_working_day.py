"""The working day is a setting (#19 point 8): the first-response norm counts only its hours.

The lunch break is not working time (Labour Code ст. 108), and regions keep different hours.
"""

from __future__ import annotations

import uuid
from typing import Any

from ledger.values import Role
from tests.api.conftest import LiveServer, live_fixture

live = live_fixture(APPEALS_WORKING_HOURS="08:00-17:00", APPEALS_WORKING_BREAKS="12:00-13:00")


def _first_response_due(live: LiveServer, received_at: str) -> dict[str, Any]:
    answer = live.post(
        "mutation($input: ReceiveAppealInput!) { receiveAppeal(input: $input) "
        "{ appeal { dueDates { kind dueAt rule countedFrom } } } }",
        {
            "input": {
                "channel": "VK",
                "externalId": uuid.uuid4().hex,
                "text": "Яма во дворе",
                "body": "Администрация",
                "receivedAt": received_at,
            }
        },
        token=live.token(Role.SUPERVISOR),
    ).json()
    assert "errors" not in answer, answer
    dues = answer["data"]["receiveAppeal"]["appeal"]["dueDates"]
    due: dict[str, Any] = next(d for d in dues if d["kind"] == "FIRST_RESPONSE")
    return due


def test_the_first_response_norm_counts_the_configured_hours_without_the_break(
    live: LiveServer,
) -> None:
    # Monday 2025-03-03 10:30 Moscow: 10:30-12:00 and 13:00-17:00 give 5.5 working hours;
    # the other 2.5 of the 8 run on Tuesday from 08:00, so it is due at 10:30 (07:30 UTC).
    # A 09:00-18:00 day without a break would have made it Tuesday 09:30.
    due = _first_response_due(live, "2025-03-03T10:30:00+03:00")

    assert due["dueAt"] == "2025-03-04T07:30:00+00:00"
    assert due["countedFrom"] == "Received"
    assert "working day 08:00-17:00, breaks 12:00-13:00" in due["rule"]


def test_a_message_received_in_the_break_waits_for_the_afternoon(live: LiveServer) -> None:
    # Monday 12:20 Moscow is in the break: 13:00-17:00 (4 h), then Tuesday 08:00-12:00 (4 h).
    due = _first_response_due(live, "2025-03-03T12:20:00+03:00")

    assert due["dueAt"] == "2025-03-04T09:00:00+00:00"
