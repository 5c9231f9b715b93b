"""59-ФЗ ст. 11 outcomes through the API (#19 point 4): no answer, and the notices owed instead."""

from __future__ import annotations

import uuid
from typing import Any

from tests.api.conftest import LiveServer
from tests.api.office import Office as BaseOffice

FIELDS = """id status overdue nextDueAt outcome dueDates { kind dueAt countedFrom rule }
  history { type data }"""


class Office(BaseOffice):
    """A supervisor of a body of its own, sending commands over HTTP."""

    FIELDS = FIELDS

    def registered_letter(self, at: str, *, anonymous: bool = False) -> str:
        citizen = None if anonymous else {"name": "Иванов И. И.", "address": "ул. Ленина, 5"}
        appeal = self.do(
            "receiveAppeal",
            {
                "channel": "LETTER",
                "externalId": uuid.uuid4().hex,
                "text": "Прошу пересмотреть решение суда",
                "body": self.body,
                "receivedAt": at,
                "citizen": citizen,
            },
        )
        self.do("registerAppeal", {"appealId": appeal["id"], "number": "ОГ-11", "at": at})
        return str(appeal["id"])

    def leave_without_answer(
        self, appeal_id: str, ground: str, reason: str, **more: object
    ) -> dict[str, Any]:
        """Decide on ``ground`` (ст. 11) that the appeal gets no answer; ``more`` adds input."""
        values = {"appealId": appeal_id, "ground": ground, "reason": reason, **more}
        return self.do("leaveAppealWithoutAnswer", values)

    def send_notice(self, appeal_id: str, reference: str, **more: object) -> dict[str, Any]:
        """Send the notice owed instead of an answer, under an outgoing ``reference``."""
        return self.do("sendAppealNotice", {"appealId": appeal_id, "reference": reference, **more})


def _due(appeal: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((d for d in appeal["dueDates"] if d["kind"] == kind), None)


def test_an_appeal_contesting_a_court_decision_is_returned_within_7_days_then_closed(
    live: LiveServer,
) -> None:
    office = Office(live)
    appeal_id = office.registered_letter("2025-02-03T10:00:00+03:00")

    decided = office.leave_without_answer(
        appeal_id, "COURT_DECISION", "обжалует решение суда", at="2025-02-04T10:00:00+03:00"
    )
    early_close = office.send(
        "closeAppeal",
        {"appealId": appeal_id, "outcome": "NO_ANSWER_REQUIRED", "at": "2025-02-05T10:00:00+03:00"},
    )
    answer = office.send(
        "answerAppeal", {"appealId": appeal_id, "text": "Ответ", "at": "2025-02-05T10:00:00+03:00"}
    )
    office.send_notice(appeal_id, "исх-77", at="2025-02-06T10:00:00+03:00")
    closed = office.do(
        "closeAppeal",
        {"appealId": appeal_id, "outcome": "NO_ANSWER_REQUIRED", "at": "2025-02-07T10:00:00+03:00"},
    )

    notice = _due(decided, "NOTICE")
    assert notice is not None and _due(decided, "ANSWER") is None
    # 7 days from the registration's Moscow date 2025-02-03 end at the start of 2025-02-11.
    assert notice["dueAt"] == "2025-02-10T21:00:00+00:00"
    assert notice["countedFrom"] == "Registered"
    assert notice["rule"].startswith("59-ФЗ ст. 11 ч. 2: return with how to appeal")
    assert decided["overdue"] is True and decided["nextDueAt"] == notice["dueAt"]
    assert early_close["errors"][0]["extensions"]["reason"] == "notice_not_sent"
    assert answer["errors"][0]["extensions"]["reason"] == "left_without_answer"
    assert (closed["status"], closed["outcome"], closed["overdue"]) == (
        "CLOSED",
        "NO_ANSWER_REQUIRED",
        False,
    )
    assert [e["type"] for e in closed["history"]][-3:] == [
        "LeftWithoutAnswer",
        "NoticeSent",
        "Closed",
    ]


def test_an_anonymous_report_of_a_crime_is_sent_to_the_competent_body_and_gets_no_answer(
    live: LiveServer,
) -> None:
    office = Office(live)
    anonymous = office.registered_letter("2025-03-03T10:00:00+03:00", anonymous=True)
    signed = office.registered_letter("2025-03-03T10:00:00+03:00")

    decided = office.leave_without_answer(
        anonymous,
        "CRIME_REPORT",
        "сообщение о краже",
        toBody="ОМВД по району",
        at="2025-03-04T10:00:00+03:00",
    )
    refused = office.send(
        "leaveAppealWithoutAnswer",
        {
            "appealId": signed,
            "ground": "ANONYMOUS",
            "reason": "без подписи",
            "at": "2025-03-04T10:00:00+03:00",
        },
    )
    closed = office.do(
        "closeAppeal",
        {"appealId": anonymous, "outcome": "NO_ANSWER_REQUIRED", "at": "2025-03-05T10:00:00+03:00"},
    )

    assert [d["kind"] for d in decided["dueDates"]] == ["REGISTRATION", "FORWARDING"]
    assert decided["history"][-1]["data"]["to_body"] == "ОМВД по району"
    assert refused["errors"][0]["extensions"]["field"] == "ground"
    assert closed["status"] == "CLOSED"


def test_an_unclear_appeal_owes_a_notice_and_no_answer(live: LiveServer) -> None:
    office = Office(live)
    appeal_id = office.registered_letter("2025-04-01T10:00:00+03:00")

    decided = office.leave_without_answer(
        appeal_id, "UNCLEAR", "суть не ясна", at="2025-04-02T10:00:00+03:00"
    )
    noticed = office.send_notice(appeal_id, "исх-78", at="2025-04-03T10:00:00+03:00")
    second = office.send(
        "sendAppealNotice",
        {"appealId": appeal_id, "reference": "исх-79", "at": "2025-04-04T10:00:00+03:00"},
    )

    notice = _due(decided, "NOTICE")
    assert notice is not None
    assert notice["rule"] == (
        "59-ФЗ ст. 11 ч. 4.1: notice that the substance cannot be understood "
        "within 7 days of registration"
    )
    assert (noticed["overdue"], noticed["nextDueAt"]) == (False, None)
    assert second["errors"][0]["extensions"]["reason"] == "no_notice_owed"


def test_the_queue_filters_the_notice_due_apart_from_the_answer_due(live: LiveServer) -> None:
    office = Office(live)
    unclear = office.registered_letter("2025-05-05T10:00:00+03:00")
    plain = office.registered_letter("2025-05-05T11:00:00+03:00")
    office.leave_without_answer(unclear, "UNCLEAR", "суть не ясна")
    query = """query($f: AppealFilterInput) { appeals(first: 10, filter: $f) {
      edges { node { id } } } }"""

    def ids(**where: object) -> list[str]:
        page = office.live.post(query, {"f": {"body": office.body, **where}}, token=office.token)
        return [e["node"]["id"] for e in page.json()["data"]["appeals"]["edges"]]

    before = {kind: ids(dueKind=kind, overdue=True) for kind in ("NOTICE", "ANSWER")}
    due_soon = ids(dueKind="NOTICE", dueBefore="2025-05-20T00:00:00+03:00")
    office.send_notice(unclear, "исх-80")
    after = {kind: ids(dueKind=kind) for kind in ("NOTICE", "ANSWER")}

    assert before == {"NOTICE": [unclear], "ANSWER": [plain]}
    assert due_soon == [unclear]
    assert after == {"NOTICE": [], "ANSWER": [plain]}
