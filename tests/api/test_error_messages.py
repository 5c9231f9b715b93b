"""What a person and a program read in a refusal: a sentence, and typed camelCase extensions.

Over real HTTP, on SQLite and PostgreSQL. No message is a Python repr; every extension key
is camelCase, and numbers stay numbers.
"""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ledger.values import Role
from tests.api.inprocess import InProcessServer


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What these tests check is the app's answer: it is served in this process, on both stores."""
    return in_process


CAMEL = re.compile(r"^[a-z][a-zA-Z]*$")


class Writer:
    """Commands over HTTP as a supervisor."""

    def __init__(self, live: InProcessServer) -> None:
        self.live = live
        self.token = live.token(Role.SUPERVISOR)

    def command(self, name: str, kind: str, values: dict[str, object]) -> httpx.Response:
        query = f"mutation($i: {kind}!) {{ {name}(input: $i) {{ appeal {{ id version }} }} }}"
        return self.live.post(query, {"i": values}, token=self.token)

    def receive(self, **extra: object) -> httpx.Response:
        values = {
            "channel": "WEB",
            "externalId": f"msg-{uuid.uuid4().hex}",
            "text": "Не убирают снег",
            "body": "Администрация",
            **extra,
        }
        return self.command("receiveAppeal", "ReceiveAppealInput", values)

    def received_id(self) -> tuple[str, str]:
        """A new appeal's global id and its UUID."""
        appeal_id = str(self.receive().json()["data"]["receiveAppeal"]["appeal"]["id"])
        return appeal_id, base64.b64decode(appeal_id).decode().removeprefix("Appeal:")


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    assert "Error(" not in error["message"], error
    assert all(CAMEL.match(key) for key in error["extensions"]), error["extensions"]
    return dict(error)


def test_a_conflict_says_which_version_was_expected_and_which_is_current(
    live: InProcessServer,
) -> None:
    writer = Writer(live)
    appeal_id, appeal_uuid = writer.received_id()

    answer = writer.command(
        "registerAppeal",
        "RegisterAppealInput",
        {"appealId": appeal_id, "number": "ОГ-9", "expectedVersion": 3},
    )

    error = only_error(answer)
    assert error["message"] == (
        f"appeal {appeal_uuid} was changed: you expected version 3, it is at 1"
    )
    extensions = error["extensions"]
    assert extensions["code"] == "CONFLICT"
    assert extensions["appealId"] == appeal_uuid
    assert extensions["expectedVersion"] == 3
    assert extensions["actualVersion"] == 1


def test_a_refused_transition_and_an_unknown_appeal_are_sentences(live: InProcessServer) -> None:
    writer = Writer(live)
    appeal_id, appeal_uuid = writer.received_id()
    unknown = str(uuid.uuid4())

    reopen = writer.command(
        "reopenAppeal", "ReopenAppealInput", {"appealId": appeal_id, "reason": "ещё раз"}
    )
    missing = writer.command(
        "registerAppeal", "RegisterAppealInput", {"appealId": unknown, "number": "ОГ-10"}
    )

    transition = only_error(reopen)
    assert transition["message"] == f"cannot reopen appeal {appeal_uuid}: it is received"
    assert transition["extensions"]["appealId"] == appeal_uuid
    assert transition["extensions"]["status"] == "received"
    not_found = only_error(missing)
    assert not_found["message"] == f"there is no appeal {unknown}"
    assert not_found["extensions"] == {
        **not_found["extensions"],
        "code": "NOT_FOUND",
        "appealId": unknown,
    }


def test_a_future_received_at_names_the_field_received_at(live: InProcessServer) -> None:
    writer = Writer(live)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    answer = writer.receive(receivedAt=tomorrow)

    error = only_error(answer)
    assert error["message"] == "receivedAt is in the future"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "receivedAt"
