"""Special terms per appeal (#19 point 5): ст. 12 ч. 1.1 (20 days) and ст. 8 ч. 3.1 (5 days).

The server is told that «миграция» appeals run on both; an office may also name the terms
itself when it registers an appeal (an explicit legal basis).
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.api.conftest import LiveServer, live_fixture
from tests.api.office import Office as BaseOffice

FIELDS = "id overdue nextDueAt dueDates { kind dueAt rule countedFrom }"


live = live_fixture(APPEALS_SPECIAL_TERMS="миграция=migration_answer+migration_forwarding")


class Office(BaseOffice):
    """A supervisor sending commands over HTTP."""

    FIELDS = FIELDS


def _registered(live: LiveServer, category: str, **register: object) -> dict[str, Any]:
    office = Office(live)
    at = "2025-03-03T10:00:00+03:00"
    appeal = office.do(
        "receiveAppeal",
        {
            "channel": "LETTER",
            "externalId": uuid.uuid4().hex,
            "text": "Сообщаю о нарушении",
            "body": "Правительство области",
            "category": category,
            "receivedAt": at,
        },
    )
    return office.do(
        "registerAppeal",
        {
            "appealId": appeal["id"],
            "number": "ОГ-5",
            "at": at,
            **register,
        },
    )


def _due(appeal: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(d for d in appeal["dueDates"] if d["kind"] == kind)


def test_a_category_with_special_terms_gets_20_days_to_answer_and_5_to_forward(
    live: LiveServer,
) -> None:
    appeal = _registered(live, "миграция")

    answer, forwarding = _due(appeal, "ANSWER"), _due(appeal, "FORWARDING")
    # From the registration's Moscow date 2025-03-03: 20 days end at the start of 2025-03-24,
    # 5 days at the start of 2025-03-09.
    assert answer["dueAt"] == "2025-03-23T21:00:00+00:00"
    assert answer["rule"].startswith("59-ФЗ ст. 12 ч. 1.1:")
    assert forwarding["dueAt"] == "2025-03-08T21:00:00+00:00"
    assert forwarding["rule"].startswith("59-ФЗ ст. 8 ч. 3.1:")
    # The appeals view counts the same 20 days: unanswered since, it is overdue now.
    assert (appeal["nextDueAt"], appeal["overdue"]) == (answer["dueAt"], True)


def test_an_explicit_legal_basis_selects_the_terms_whatever_the_category(
    live: LiveServer,
) -> None:
    forwarding_only = _registered(live, "дороги", specialTerms=["MIGRATION_FORWARDING"])
    none = _registered(live, "миграция", specialTerms=[])

    assert _due(forwarding_only, "FORWARDING")["dueAt"] == "2025-03-08T21:00:00+00:00"
    assert _due(forwarding_only, "ANSWER")["dueAt"] == "2025-04-02T21:00:00+00:00"
    assert _due(none, "ANSWER")["rule"].startswith("59-ФЗ ст. 12 ч. 1: answer within 30 days")
    assert _due(none, "FORWARDING")["dueAt"] == "2025-03-10T21:00:00+00:00"
