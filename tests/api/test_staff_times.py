"""Staff cannot backdate what they did (#19 point 2): a staff action counts at the ledger's time.

The server here runs with the default clock skew (120 s). A receipt keeps the source
platform's time; a migration states a reason for its times, and the history shows which.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from api.bootstrap import build
from api.graphql.ids import appeal_uuid
from api.settings import Settings
from ledger.values import Actor, Role
from tests.api.conftest import LiveServer, live_fixture
from tests.api.office import Office as BaseOffice

FIELDS = """id version answeredAt extended dueDates { kind dueAt }
  history { type businessTime recordedTime timeBasis timeReason }"""
MIGRATION = Actor(id="migration-delo", role=Role.SYSTEM)


live = live_fixture(APPEALS_CLOCK_SKEW="")  # an empty value is the default: 120 s


class Office(BaseOffice):
    """A supervisor sending commands over HTTP."""

    FIELDS = FIELDS


def _appeal(live: LiveServer, appeal_id: str) -> dict[str, Any]:
    answer = live.post(
        f"query($id: ID!) {{ appeal(id: $id) {{ {FIELDS} }} }}",
        {"id": appeal_id},
        token=live.token(Role.SUPERVISOR),
    ).json()
    assert "errors" not in answer, answer
    appeal: dict[str, Any] = answer["data"]["appeal"]
    return appeal


def _received_long_ago(live: LiveServer, days: int) -> dict[str, Any]:
    received_at = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    return Office(live).do(
        "receiveAppeal",
        {
            "channel": "LETTER",
            "externalId": uuid.uuid4().hex,
            "text": "Не вывозят мусор",
            "body": "Администрация",
            "receivedAt": received_at,
        },
    )


def _migrated_registration(live: LiveServer, appeal_id: str, days_ago: int) -> None:
    """What an import (#14) does: it states the time the old system recorded, with a reason."""
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": live.database_url}))
    try:
        container.ledger.register_appeal(
            appeal_uuid(appeal_id, "appealId"),
            number="ОГ-1",
            actor=MIGRATION,
            at=datetime.now(UTC) - timedelta(days=days_ago),
            time_reason="перенесено из СЭД «Дело»: время регистрации по журналу",
        )
    finally:
        container.close()


def test_an_expired_deadline_cannot_be_extended_or_met_by_backdating(live: LiveServer) -> None:
    appeal = _received_long_ago(live, days=40)
    _migrated_registration(live, appeal["id"], days_ago=39)
    backdated = (datetime.now(UTC) - timedelta(days=38)).isoformat()

    extend = Office(live).send(
        "extendAppealDeadline",
        {
            "appealId": appeal["id"],
            "days": 30,
            "reason": "выездная проверка",
            "at": backdated,
        },
    )
    answer = Office(live).send(
        "answerAppeal",
        {
            "appealId": appeal["id"],
            "text": "Вывезли",
            "at": backdated,
        },
    )

    for refused in (extend, answer):
        error = refused["errors"][0]
        assert error["extensions"]["code"] == "BACKDATED"
        assert error["extensions"]["field"] == "at"
        assert error["extensions"]["skewSeconds"] == 120
    after = _appeal(live, appeal["id"])
    assert (after["version"], after["extended"], after["answeredAt"]) == (2, False, None)


def test_a_staff_action_counts_at_the_ledgers_time_and_the_history_says_which_time_is_which(
    live: LiveServer,
) -> None:
    appeal = _received_long_ago(live, days=40)
    _migrated_registration(live, appeal["id"], days_ago=39)
    before = datetime.now(UTC)

    answered = Office(live).send(
        "answerAppeal",
        {
            "appealId": appeal["id"],
            "text": "Вывезли",
        },
    )

    assert "errors" not in answered, answered
    after = answered["data"]["answerAppeal"]["appeal"]
    answered_at = datetime.fromisoformat(after["answeredAt"])
    answer_due = next(d for d in after["dueDates"] if d["kind"] == "ANSWER")
    assert answered_at >= before - timedelta(seconds=1)
    # 30 days from a registration 39 days ago ended 9 days ago: the answer is late.
    assert answered_at > datetime.fromisoformat(answer_due["dueAt"])
    bases = [(e["type"], e["timeBasis"], e["timeReason"]) for e in after["history"]]
    assert bases == [
        ("Received", "SOURCE", None),
        ("Registered", "STATED", "перенесено из СЭД «Дело»: время регистрации по журналу"),
        ("Answered", "LEDGER", None),
    ]


def test_a_staff_time_within_the_clock_skew_is_accepted_as_given(live: LiveServer) -> None:
    appeal = _received_long_ago(live, days=1)
    slightly_behind = datetime.now(UTC) - timedelta(seconds=60)

    registered = Office(live).send(
        "registerAppeal",
        {
            "appealId": appeal["id"],
            "number": "ОГ-2",
            "at": slightly_behind.isoformat(),
        },
    )

    assert "errors" not in registered, registered
    history = registered["data"]["registerAppeal"]["appeal"]["history"]
    assert datetime.fromisoformat(history[-1]["businessTime"]) == slightly_behind
    assert history[-1]["timeBasis"] == "LEDGER"
