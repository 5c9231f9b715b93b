"""Special terms per appeal (#19 point 5): ст. 12 ч. 1.1 (20 days) and ст. 8 ч. 3.1 (5 days).

The server is told that «миграция» appeals run on both; an office may also name the terms
itself when it registers an appeal (an explicit legal basis).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.values import Role
from tests.api.conftest import LiveServer, empty_store, start_server, stop_server

FIELDS = "id overdue nextDueAt dueDates { kind dueAt rule countedFrom }"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("special-terms")
    with empty_store(request.param, folder) as database_url:
        live = start_server(
            database_url,
            folder / "server.log",
            APPEALS_SPECIAL_TERMS="миграция=migration_answer+migration_forwarding",
        )
        yield live
        stop_server(live)


def _mutate(live: LiveServer, name: str, kind: str, values: dict[str, object]) -> dict[str, Any]:
    answer = live.post(
        f"mutation($input: {kind}!) {{ {name}(input: $input) {{ appeal {{ {FIELDS} }} }} }}",
        {"input": values},
        token=live.token(Role.SUPERVISOR),
    ).json()
    assert "errors" not in answer, answer
    appeal: dict[str, Any] = answer["data"][name]["appeal"]
    return appeal


def _registered(live: LiveServer, category: str, **register: object) -> dict[str, Any]:
    at = "2025-03-03T10:00:00+03:00"
    appeal = _mutate(
        live,
        "receiveAppeal",
        "ReceiveAppealInput",
        {
            "channel": "LETTER",
            "externalId": uuid.uuid4().hex,
            "text": "Сообщаю о нарушении",
            "body": "Правительство области",
            "category": category,
            "receivedAt": at,
        },
    )
    return _mutate(
        live,
        "registerAppeal",
        "RegisterAppealInput",
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
    office: LiveServer,
) -> None:
    appeal = _registered(office, "миграция")

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
    office: LiveServer,
) -> None:
    forwarding_only = _registered(office, "дороги", specialTerms=["MIGRATION_FORWARDING"])
    none = _registered(office, "миграция", specialTerms=[])

    assert _due(forwarding_only, "FORWARDING")["dueAt"] == "2025-03-08T21:00:00+00:00"
    assert _due(forwarding_only, "ANSWER")["dueAt"] == "2025-04-02T21:00:00+00:00"
    assert _due(none, "ANSWER")["rule"].startswith("59-ФЗ ст. 12 ч. 1: answer within 30 days")
    assert _due(none, "FORWARDING")["dueAt"] == "2025-03-10T21:00:00+00:00"
