"""The appeal's lifecycle and its 59-ФЗ clocks as offices practise them, through the API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.inprocess import InProcessServer
from tests.api.office import Office as BaseOffice


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What these tests check is the app's answer: it is served in this process, on both stores."""
    return in_process


FIELDS = """id status registeredAt answeredAt rating nextDueAt overdue
  dueDates { kind dueAt countedFrom rule }"""


class Office(BaseOffice):
    """One supervisor sending commands over HTTP; each test works in a body of its own."""

    FIELDS = FIELDS

    def receive(self, channel: str, at: str) -> str:
        appeal = self.do(
            "receiveAppeal",
            {
                "channel": channel,
                "externalId": uuid.uuid4().hex,
                "text": "Не вывозят мусор",
                "body": self.body,
                "receivedAt": at,
            },
        )
        return str(appeal["id"])

    def statistics(self, body: str) -> list[dict[str, Any]]:
        answer = self.live.post(
            "query($b: String!) { statistics(filter: {body: $b}, period: DAY) "
            "{ periodStart count onTimeShare } }",
            {"b": body},
            token=self.token,
        ).json()
        groups: list[dict[str, Any]] = answer["data"]["statistics"]
        return groups


def _due(appeal: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(d for d in appeal["dueDates"] if d["kind"] == kind)


def test_a_forwarded_appeal_is_registered_by_the_receiving_body_and_answered_30_days_later(
    live: InProcessServer,
) -> None:
    office = Office(live)
    receiving = f"{office.body} (область)"
    appeal_id = office.receive("LETTER", "2025-01-10T09:00:00+03:00")
    office.do(
        "registerAppeal",
        {"appealId": appeal_id, "number": "ОГ-1", "at": "2025-01-12T10:00:00+03:00"},
    )
    office.do(
        "forwardAppeal",
        {
            "appealId": appeal_id,
            "toBody": receiving,
            "reason": "вне компетенции",
            "at": "2025-01-20T10:00:00+03:00",
        },
    )

    registered = office.do(
        "registerAppeal",
        {"appealId": appeal_id, "number": "МО-77", "at": "2025-01-21T10:00:00+03:00"},
    )

    assert registered["status"] == "REGISTERED"
    assert registered["registeredAt"] == "2025-01-21T07:00:00+00:00"
    answer = _due(registered, "ANSWER")
    assert (answer["dueAt"], answer["countedFrom"]) == ("2025-02-20T21:00:00+00:00", "Registered")
    assert registered["nextDueAt"] == "2025-02-20T21:00:00+00:00"
    assert _due(registered, "REGISTRATION")["countedFrom"] == "Forwarded"
    # The receiving body counts the appeal from the day it received it: the forwarding.
    assert [(g["periodStart"], g["count"]) for g in office.statistics(receiving)] == [
        ("2025-01-20", 1)
    ]


def test_a_forwarded_appeal_waits_for_the_receiving_bodys_registration(
    live: InProcessServer,
) -> None:
    office = Office(live)
    appeal_id = office.receive("EMAIL", "2025-01-10T09:00:00+03:00")
    office.do(
        "registerAppeal",
        {"appealId": appeal_id, "number": "ОГ-2", "at": "2025-01-10T10:00:00+03:00"},
    )

    forwarded = office.do(
        "forwardAppeal",
        {
            "appealId": appeal_id,
            "toBody": "Минтранс",
            "reason": "вне компетенции",
            "at": "2025-01-13T10:00:00+03:00",
        },
    )

    assert forwarded["registeredAt"] is None
    assert [d["kind"] for d in forwarded["dueDates"]] == ["REGISTRATION"]
    assert forwarded["nextDueAt"] == "2025-01-16T21:00:00+00:00"


def test_a_formal_appeal_cannot_be_closed_before_it_is_registered(live: InProcessServer) -> None:
    office = Office(live)
    original = office.receive("POS", "2025-01-10T09:00:00+03:00")
    appeal_id = office.receive("POS", "2025-01-10T09:30:00+03:00")

    refused = office.send(
        "closeAppeal", {"appealId": appeal_id, "outcome": "DUPLICATE", "duplicateOf": original}
    )

    assert refused["errors"][0]["extensions"]["code"] == "INVALID_TRANSITION"
    assert refused["errors"][0]["extensions"]["reason"] == "not_registered"


def test_an_appeal_outside_the_competence_is_forwarded_not_just_closed(
    live: InProcessServer,
) -> None:
    office = Office(live)
    appeal_id = office.receive("WEB", "2025-01-10T09:00:00+03:00")
    office.do(
        "registerAppeal",
        {"appealId": appeal_id, "number": "ОГ-3", "at": "2025-01-10T10:00:00+03:00"},
    )

    refused = office.send("closeAppeal", {"appealId": appeal_id, "outcome": "NOT_COMPETENT"})
    office.do(
        "forwardAppeal", {"appealId": appeal_id, "toBody": "Росреестр", "reason": "вне компетенции"}
    )
    closed = office.do("closeAppeal", {"appealId": appeal_id, "outcome": "NOT_COMPETENT"})

    assert refused["errors"][0]["extensions"]["code"] == "INVALID_TRANSITION"
    assert closed["status"] == "CLOSED"


def test_a_reopened_appeal_that_was_never_registered_can_be_registered(
    live: InProcessServer,
) -> None:
    office = Office(live)
    original = office.receive("VK", "2025-01-10T09:00:00+03:00")
    appeal_id = office.receive("VK", "2025-01-10T09:30:00+03:00")
    office.do(
        "closeAppeal",
        {
            "appealId": appeal_id,
            "outcome": "DUPLICATE",
            "duplicateOf": original,
            "at": "2025-01-10T10:00:00+03:00",
        },
    )
    office.do(
        "reopenAppeal",
        {"appealId": appeal_id, "reason": "не дубликат", "at": "2025-01-11T10:00:00+03:00"},
    )

    registered = office.do(
        "registerAppeal",
        {"appealId": appeal_id, "number": "ОГ-4", "at": "2025-01-12T10:00:00+03:00"},
    )

    assert registered["status"] == "REGISTERED"
    assert _due(registered, "ANSWER")["dueAt"] == "2025-02-11T21:00:00+00:00"


def test_a_reopened_appeal_gets_a_new_answer_period_and_can_be_overdue(
    live: InProcessServer,
) -> None:
    office = Office(live)
    appeal_id = office.receive("LETTER", "2025-01-10T09:00:00+03:00")
    steps: list[tuple[str, dict[str, object]]] = [
        ("registerAppeal", {"number": "ОГ-5", "at": "2025-01-10T10:00:00+03:00"}),
        ("answerAppeal", {"text": "Вывезли", "at": "2025-01-20T10:00:00+03:00"}),
        ("closeAppeal", {"outcome": "RESOLVED", "at": "2025-01-21T10:00:00+03:00"}),
        ("rateAppeal", {"score": 5, "at": "2025-01-22T10:00:00+03:00"}),
    ]
    for name, values in steps:
        office.do(name, {"appealId": appeal_id, **values})

    reopened = office.do(
        "reopenAppeal",
        {"appealId": appeal_id, "reason": "снова не вывозят", "at": "2025-02-01T10:00:00+03:00"},
    )

    assert (reopened["answeredAt"], reopened["rating"]) == (None, None)
    answer = _due(reopened, "ANSWER")
    assert (answer["dueAt"], answer["countedFrom"]) == ("2025-03-03T21:00:00+00:00", "Reopened")
    assert answer["rule"].startswith("reopened: ")
    assert reopened["nextDueAt"] == "2025-03-03T21:00:00+00:00"
    assert reopened["overdue"] is True


def test_a_command_dated_before_the_appeals_last_event_is_refused(live: InProcessServer) -> None:
    office = Office(live)
    appeal_id = office.receive("EMAIL", "2025-01-10T09:00:00+03:00")
    office.do(
        "registerAppeal",
        {"appealId": appeal_id, "number": "ОГ-6", "at": "2025-01-12T10:00:00+03:00"},
    )

    refused = office.send(
        "answerAppeal", {"appealId": appeal_id, "text": "Ответ", "at": "2025-01-11T10:00:00+03:00"}
    )

    error = refused["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "at"
    assert "precedes the appeal's registration at 2025-01-12T07:00:00+00:00" in error["message"]


def test_the_on_time_share_judges_the_first_final_answer(live: InProcessServer) -> None:
    office = Office(live)
    appeal_id = office.receive("LETTER", "2025-01-10T09:00:00+03:00")
    for name, values in [
        ("registerAppeal", {"number": "ОГ-7", "at": "2025-01-10T10:00:00+03:00"}),
        ("answerAppeal", {"text": "Вывезли", "at": "2025-01-20T10:00:00+03:00"}),
        ("closeAppeal", {"outcome": "RESOLVED", "at": "2025-01-21T10:00:00+03:00"}),
        ("reopenAppeal", {"reason": "снова", "at": "2025-02-01T10:00:00+03:00"}),
    ]:
        office.do(name, {"appealId": appeal_id, **values})

    office.do(
        "answerAppeal",
        {"appealId": appeal_id, "text": "Теперь точно", "at": "2025-04-01T10:00:00+03:00"},
    )

    [group] = office.statistics(office.body)
    assert group["onTimeShare"] == 1.0


def test_a_social_media_message_has_no_registration_due_until_it_is_registered(
    live: InProcessServer,
) -> None:
    office = Office(live)
    appeal_id = office.receive("VK", "2025-01-10T09:00:00+03:00")
    office.do(
        "answerAppeal",
        {
            "appealId": appeal_id,
            "text": "Приняли",
            "final": False,
            "at": "2025-01-10T10:00:00+03:00",
        },
    )

    registered = office.do(
        "registerAppeal",
        {"appealId": appeal_id, "number": "ОГ-8", "at": "2025-01-15T10:00:00+03:00"},
    )

    due = _due(registered, "REGISTRATION")
    assert (due["dueAt"], due["countedFrom"]) == ("2025-01-18T21:00:00+00:00", "Registered")
    assert "decision" in due["rule"]
    assert registered["nextDueAt"] == "2025-02-14T21:00:00+00:00"
