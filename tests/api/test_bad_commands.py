"""Commands the ledger refuses, sent to the app: each refusal is coded and names what is wrong."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import httpx
import pytest

from ledger.values import Role
from tests.api.inprocess import InProcessServer
from tests.api.refusals import codes, refusal


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What is refused is the app's answer: it is served in this process, on both stores."""
    return in_process


class Ledger:
    """Commands over HTTP as a supervisor, returning the raw response."""

    def __init__(self, live: InProcessServer) -> None:
        self.live = live
        self.token = live.token(Role.SUPERVISOR)

    def command(self, name: str, kind: str, values: Mapping[str, object]) -> httpx.Response:
        query = f"mutation($i: {kind}!) {{ {name}(input: $i) {{ appeal {{ id version }} }} }}"
        return self.live.post(query, {"i": values}, token=self.token)

    def receive(self) -> str:
        values = {
            "channel": "WEB",
            "externalId": f"bad-{uuid.uuid4().hex}",
            "text": "Яма во дворе",
            "body": "Администрация",
        }
        answer = self.command("receiveAppeal", "ReceiveAppealInput", values)
        return str(answer.json()["data"]["receiveAppeal"]["appeal"]["id"])

    def answered(self) -> str:
        appeal_id = self.receive()
        steps: list[tuple[str, str, dict[str, object]]] = [
            ("registerAppeal", "RegisterAppealInput", {"number": "ОГ-1"}),
            ("assignAppeal", "AssignAppealInput", {"department": "ЖКХ", "assignee": "petrov"}),
            ("answerAppeal", "AnswerAppealInput", {"text": "Засыпали", "final": True}),
        ]
        for name, kind, values in steps:
            answer = self.command(name, kind, {"appealId": appeal_id, **values})
            assert "errors" not in answer.json(), answer.text
        return appeal_id


def test_reopening_a_received_appeal_is_an_invalid_transition_naming_status_and_action(
    live: InProcessServer,
) -> None:
    ledger = Ledger(live)
    appeal_id = ledger.receive()

    answer = ledger.command(
        "reopenAppeal", "ReopenAppealInput", {"appealId": appeal_id, "reason": "ещё раз"}
    )

    (error,) = refusal(answer)
    assert error["extensions"]["code"] == "INVALID_TRANSITION"
    assert error["extensions"]["status"] == "received"
    assert error["extensions"]["action"] == "reopen"


def test_a_stale_expected_version_is_a_conflict(live: InProcessServer) -> None:
    ledger = Ledger(live)
    appeal_id = ledger.receive()

    answer = ledger.command(
        "registerAppeal",
        "RegisterAppealInput",
        {"appealId": appeal_id, "number": "ОГ-2", "expectedVersion": 7},
    )

    assert codes(refusal(answer)) == {"CONFLICT"}


def test_an_unknown_appeal_reads_as_null_and_cannot_be_changed(live: InProcessServer) -> None:
    ledger = Ledger(live)
    unknown = str(uuid.uuid4())

    read = live.post(
        "query($id: ID!) { appeal(id: $id) { id } }", {"id": unknown}, token=ledger.token
    )
    change = ledger.command(
        "registerAppeal", "RegisterAppealInput", {"appealId": unknown, "number": "ОГ-3"}
    )

    assert read.json() == {"data": {"appeal": None}}
    assert codes(refusal(change)) == {"NOT_FOUND"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("Свет\x00\x07", "control character")],
    ids=["empty-text", "control-characters"],
)
def test_unusable_text_is_bad_user_input_naming_the_field(
    live: InProcessServer, text: str, reason: str
) -> None:
    ledger = Ledger(live)
    values = {
        "channel": "WEB",
        "externalId": f"bad-{uuid.uuid4().hex}",
        "text": text,
        "body": "Администрация",
    }

    answer = ledger.command("receiveAppeal", "ReceiveAppealInput", values)

    (error,) = refusal(answer)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "text"
    assert reason in error["message"]


def test_a_score_of_6_is_bad_user_input_naming_the_score(live: InProcessServer) -> None:
    ledger = Ledger(live)
    appeal_id = ledger.answered()

    answer = ledger.command("rateAppeal", "RateAppealInput", {"appealId": appeal_id, "score": 6})

    (error,) = refusal(answer)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "score"
    assert error["message"] == "score must be an integer 1-5"
