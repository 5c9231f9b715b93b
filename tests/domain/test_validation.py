"""Free input is normalised or refused with a ``ValidationError`` naming the field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from ledger.application import CLOCK_SKEW, AppealsLedger
from ledger.errors import ValidationError
from ledger.values import Actor, Role, Status

if TYPE_CHECKING:
    from uuid import UUID

OPERATOR = Actor(id="operator-1", role=Role.OPERATOR)
DECOMPOSED_SHORT_I = "\u0438\u0306"  # и + combining breve
COMPOSED_SHORT_I = "\u0439"  # й


def _intake(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "channel": "vk",
        "external_id": "msg-1",
        "text": "The street light on Lenina 5 is broken.",
        "body": "city-hall",
    }
    return fields | overrides


def _answered(ledger: AppealsLedger) -> UUID:
    appeal_id = ledger.receive_appeal(**_intake()).appeal_id
    ledger.answer_appeal(appeal_id, text="Repaired.", final=True, actor=OPERATOR)
    return appeal_id


# --- text -----------------------------------------------------------------------------


def test_decomposed_text_is_stored_composed(ledger: AppealsLedger) -> None:
    decomposed = f"Улица Героев, ма{DECOMPOSED_SHORT_I}ский двор"

    appeal = ledger.new_appeal(**_intake(text=decomposed))

    assert ledger.open_text(appeal) == f"Улица Героев, ма{COMPOSED_SHORT_I}ский двор"


def test_ten_thousand_characters_after_normalisation_are_accepted(ledger: AppealsLedger) -> None:
    # 20,000 code points before NFC, exactly 10,000 after it.
    text = DECOMPOSED_SHORT_I * 10_000

    appeal = ledger.new_appeal(**_intake(text=text))

    assert ledger.open_text(appeal) == COMPOSED_SHORT_I * 10_000


@pytest.mark.parametrize(
    "text",
    ["я" * 10_001, DECOMPOSED_SHORT_I * 10_001],
    ids=["10001-composed", "10001-after-normalisation"],
)
def test_more_than_ten_thousand_characters_are_refused(ledger: AppealsLedger, text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.new_appeal(**_intake(text=text))

    assert refused.value.field == "text"


@pytest.mark.parametrize("text", ["", " ", " \n\t \u00a0"], ids=["empty", "space", "whitespace"])
def test_empty_or_blank_text_is_refused(ledger: AppealsLedger, text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.new_appeal(**_intake(text=text))

    assert refused.value.field == "text"


def test_newlines_and_tabs_are_kept_in_text(ledger: AppealsLedger) -> None:
    text = "Address:\n\tLenina 5\n\tflat 12"

    appeal = ledger.new_appeal(**_intake(text=text))

    assert ledger.open_text(appeal) == text


CONTROLS = [
    pytest.param("\x00", id="NUL"),
    pytest.param("\x07", id="BEL"),
    pytest.param("\x1b", id="ESC"),
    pytest.param("\x7f", id="DEL"),
    pytest.param("\r", id="CR"),
    pytest.param("\x85", id="NEL"),
]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize(
    ("argument", "field"),
    [
        ("text", "text"),
        ("body", "body"),
        ("external_id", "externalId"),
        ("category", "category"),
        ("location", "location"),
    ],
    ids=["text", "body", "external-id", "category", "location"],
)
def test_a_control_character_at_intake_is_refused_naming_the_field(
    ledger: AppealsLedger, char: str, argument: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.new_appeal(**_intake(**{argument: f"Lenina{char}5"}))

    assert refused.value.field == field
    assert f"U+{ord(char):04X}" in refused.value.reason


@pytest.mark.parametrize("char", CONTROLS)
def test_a_control_character_in_a_forwarding_reason_is_refused(
    ledger: AppealsLedger, char: str
) -> None:
    appeal_id = ledger.receive_appeal(**_intake()).appeal_id

    with pytest.raises(ValidationError) as refused:
        ledger.forward_appeal(
            appeal_id, to_body="ministry", reason=f"Not ours{char}", actor=OPERATOR
        )

    assert refused.value.field == "reason"
    assert ledger.get_appeal(appeal_id).status is Status.RECEIVED


# --- enumerations and scores ----------------------------------------------------------


@pytest.mark.parametrize("channel", ["fax", "VK", ""], ids=["fax", "upper-case", "empty"])
def test_an_unknown_channel_is_refused(ledger: AppealsLedger, channel: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.new_appeal(**_intake(channel=channel))

    assert refused.value.field == "channel"


@pytest.mark.parametrize("outcome", ["fixed", "RESOLVED", ""], ids=["fixed", "upper-case", "empty"])
def test_an_unknown_outcome_is_refused(ledger: AppealsLedger, outcome: str) -> None:
    appeal_id = _answered(ledger)
    version = ledger.get_appeal(appeal_id).version

    with pytest.raises(ValidationError) as refused:
        ledger.close_appeal(appeal_id, outcome=outcome, actor=OPERATOR)

    assert refused.value.field == "outcome"
    assert ledger.get_appeal(appeal_id).version == version


@pytest.mark.parametrize("score", [0, 6, -1, True, False], ids=["0", "6", "-1", "True", "False"])
def test_a_score_outside_one_to_five_is_refused(ledger: AppealsLedger, score: int) -> None:
    appeal_id = _answered(ledger)
    stored = ledger.recorder.max_notification_id()

    with pytest.raises(ValidationError) as refused:
        ledger.rate_appeal(appeal_id, score=score, actor=OPERATOR)

    assert refused.value.field == "score"
    assert ledger.recorder.max_notification_id() == stored
    assert ledger.get_appeal(appeal_id).rating is None


@pytest.mark.parametrize("score", [1, 5])
def test_a_score_of_one_to_five_is_recorded(ledger: AppealsLedger, score: int) -> None:
    appeal_id = _answered(ledger)

    ledger.rate_appeal(appeal_id, score=score, actor=OPERATOR)

    assert ledger.get_appeal(appeal_id).rating == score


def test_a_fractional_score_is_refused(ledger: AppealsLedger) -> None:
    appeal_id = _answered(ledger)

    with pytest.raises(ValidationError) as refused:
        ledger.rate_appeal(appeal_id, score=4.5, actor=OPERATOR)  # type: ignore[arg-type]

    assert refused.value.field == "score"


# --- business times -------------------------------------------------------------------


def test_a_naive_receipt_time_is_refused(ledger: AppealsLedger) -> None:
    naive = datetime(2025, 3, 5, 10, 0)

    with pytest.raises(ValidationError) as refused:
        ledger.new_appeal(**_intake(at=naive))

    assert refused.value.field == "receivedAt"


def test_a_naive_command_time_is_refused(ledger: AppealsLedger) -> None:
    appeal_id = ledger.receive_appeal(**_intake()).appeal_id

    with pytest.raises(ValidationError) as refused:
        ledger.register_appeal(
            appeal_id, number="R-1", actor=OPERATOR, at=datetime(2025, 3, 5, 10, 0)
        )

    assert refused.value.field == "at"
    assert ledger.get_appeal(appeal_id).status is Status.RECEIVED


def test_a_business_time_beyond_the_clock_skew_is_refused(ledger: AppealsLedger) -> None:
    future = ledger.clock() + CLOCK_SKEW + timedelta(microseconds=1)

    with pytest.raises(ValidationError) as refused:
        ledger.receive_appeal(**_intake(at=future))

    assert refused.value.field == "receivedAt"
    assert ledger.recorder.max_notification_id() is None


def test_a_business_time_within_the_clock_skew_is_accepted(ledger: AppealsLedger) -> None:
    slightly_ahead = ledger.clock() + CLOCK_SKEW

    recorded = ledger.receive_appeal(**_intake(at=slightly_ahead))

    assert ledger.get_appeal(recorded.appeal_id).received_at == slightly_ahead


def test_a_future_command_time_is_refused(ledger: AppealsLedger) -> None:
    appeal_id = ledger.receive_appeal(**_intake()).appeal_id

    with pytest.raises(ValidationError) as refused:
        ledger.register_appeal(
            appeal_id, number="R-1", actor=OPERATOR, at=ledger.clock() + timedelta(days=1)
        )

    assert refused.value.field == "at"
    assert ledger.get_appeal(appeal_id).status is Status.RECEIVED


# --- idempotent intake ----------------------------------------------------------------


def test_receiving_the_same_message_twice_records_one_appeal(ledger: AppealsLedger) -> None:
    first = ledger.receive_appeal(**_intake())

    again = ledger.receive_appeal(**_intake(text="The same message, delivered again."))

    assert first.created is True
    assert (again.appeal_id, again.created) == (first.appeal_id, False)
    assert ledger.recorder.max_notification_id() == 1
    stored = ledger.get_appeal(first.appeal_id)
    assert ledger.open_text(stored) == "The street light on Lenina 5 is broken."


def test_the_same_external_id_on_another_channel_is_another_appeal(
    ledger: AppealsLedger,
) -> None:
    first = ledger.receive_appeal(**_intake(channel="vk"))

    other = ledger.receive_appeal(**_intake(channel="telegram"))

    assert other.created is True
    assert other.appeal_id != first.appeal_id
    assert ledger.recorder.max_notification_id() == 2


def test_a_command_time_before_the_earliest_business_time_is_refused(
    ledger: AppealsLedger,
) -> None:
    appeal_id = ledger.receive_appeal(**_intake()).appeal_id
    before = ledger.earliest - timedelta(microseconds=1)

    with pytest.raises(ValidationError) as refused:
        ledger.register_appeal(appeal_id, number="R-1", actor=OPERATOR, at=before)

    assert refused.value.field == "at"
    assert str(refused.value).startswith("at is before 2000-01-01")
    assert ledger.get_appeal(appeal_id).status is Status.RECEIVED
