"""Declarations given once are still checked as a written-out signature would be."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from ledger import events
from ledger.application import AppealsLedger
from ledger.commands import RateAppeal
from ledger.mutators import mutates

INTAKE: dict[str, Any] = {"channel": "email", "external_id": "m-1", "text": "Яма", "body": "b"}


@pytest.fixture
def ledger() -> AppealsLedger:
    return AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.mark.parametrize(
    ("intake", "words"),
    [
        ({**INTAKE, "categroy": "дороги"}, "unexpected keyword(s) ['categroy']"),
        (
            {k: v for k, v in INTAKE.items() if k != "external_id"},
            "missing keyword(s) ['external_id']",
        ),
    ],
    ids=["misspelt", "missing"],
)
def test_a_receipt_with_a_keyword_intake_does_not_declare_is_refused_and_nothing_is_recorded(
    ledger: AppealsLedger, intake: dict[str, Any], words: str
) -> None:
    with pytest.raises(TypeError, match=re.escape(words)):
        ledger.receive_appeal(**intake)
    assert ledger.receive_appeal(**INTAKE).created  # nothing was stored under its id


def test_a_command_method_is_named_and_signed_like_its_command(ledger: AppealsLedger) -> None:
    method = ledger.rate_appeal
    assert (method.__name__, method.__qualname__) == ("rate_appeal", "CommandMethods.rate_appeal")
    assert list(inspect.signature(method).parameters) == [
        "appeal_id",
        "actor",
        "at",
        "time_reason",
        "expected_version",
        "score",
    ]
    assert method.__doc__ == RateAppeal.__doc__ == "Record the citizen's rating of the answer."


def test_a_mutator_naming_a_field_its_event_lacks_is_refused() -> None:
    def rated(self: object, *, stars: int, **_: object) -> None: ...

    with pytest.raises(TypeError, match="rated\\(\\) must take attributes of Rated"):
        mutates(events.Rated)(rated)


def test_a_mutator_leaving_fields_out_without_gathering_them_is_refused() -> None:
    def rated(self: object, *, score: int) -> None: ...

    with pytest.raises(TypeError, match="rated\\(\\) must take attributes of Rated"):
        mutates(events.Rated)(rated)


def test_a_mutator_naming_what_it_reads_takes_every_field_of_its_event() -> None:
    def rated(self: object, *, score: int, **_: object) -> None: ...

    declared = inspect.signature(mutates(events.Rated)(rated)).parameters
    assert list(declared) == ["self", "actor_id", "actor_role", "at", "time_reason", "score"]
