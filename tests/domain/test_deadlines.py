"""The 59-ФЗ clocks and the social-media first-response norm, on real 2025–2026 dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ledger.calendar import ProductionCalendar
from ledger.deadlines import (
    DueKind,
    Norms,
    answer_due,
    first_response_due,
    forwarding_due,
    registration_due,
    reopened_answer_due,
)

MSK = ZoneInfo("Europe/Moscow")
CALENDAR = ProductionCalendar()
NORMS = Norms()


def test_a_working_saturday_counts_for_first_response() -> None:
    friday_evening = datetime(2025, 10, 31, 17, 0, tzinfo=MSK)

    due = first_response_due("vk", friday_evening, NORMS, CALENDAR)

    assert due is not None
    assert due.due_at == datetime(2025, 11, 1, 16, 0, tzinfo=MSK)
    assert due.kind is DueKind.FIRST_RESPONSE
    assert due.counted_from == "Received"


def test_a_transferred_day_off_after_new_year_delays_first_response() -> None:
    holiday_evening = datetime(2026, 1, 8, 20, 0, tzinfo=MSK)

    due = first_response_due("telegram", holiday_evening, NORMS, CALENDAR)

    assert due is not None
    assert due.due_at == datetime(2026, 1, 12, 17, 0, tzinfo=MSK)


def test_new_year_eve_day_off_pushes_first_response_into_january() -> None:
    # 2025-12-31 is a transferred day off, and 1–11 January 2026 are all days off.
    december_30 = datetime(2025, 12, 30, 17, 0, tzinfo=MSK)

    due = first_response_due("ok", december_30, NORMS, CALENDAR)

    assert due is not None
    assert due.due_at == datetime(2026, 1, 12, 16, 0, tzinfo=MSK)


@pytest.mark.parametrize("channel", ["email", "letter", "pos", "web"])
def test_channels_without_a_social_media_norm_have_no_first_response_due(
    channel: str,
) -> None:
    received = datetime(2025, 11, 5, 10, 0, tzinfo=MSK)

    due = first_response_due(channel, received, NORMS, CALENDAR)

    assert due is None


def test_a_region_can_set_its_own_first_response_norm_per_channel() -> None:
    norms = Norms(first_response_hours={"vk": 9, "max": 4})
    received = datetime(2025, 11, 5, 9, 0, tzinfo=MSK)

    vk = first_response_due("vk", received, norms, CALENDAR)
    max_messenger = first_response_due("max", received, norms, CALENDAR)
    telegram = first_response_due("telegram", received, norms, CALENDAR)

    assert vk is not None and vk.due_at == datetime(2025, 11, 5, 18, 0, tzinfo=MSK)
    assert max_messenger is not None
    assert max_messenger.due_at == datetime(2025, 11, 5, 13, 0, tzinfo=MSK)
    assert telegram is not None and telegram.due_at == datetime(2025, 11, 5, 17, 0, tzinfo=MSK)


def test_norms_cannot_be_changed_through_the_dict_they_were_built_from() -> None:
    hours = {"vk": 9.0}
    norms = Norms(first_response_hours=hours)

    hours["vk"] = 1.0

    assert norms.first_response_hours_for("vk") == 9.0
    with pytest.raises(TypeError):
        norms.first_response_hours["vk"] = 1.0  # type: ignore[index]


def test_registration_is_due_at_the_end_of_the_third_day_across_month_end() -> None:
    received = datetime(2025, 10, 30, 23, 30, tzinfo=MSK)

    due = registration_due(received, NORMS, CALENDAR)

    assert due.due_at == datetime(2025, 11, 3, 0, 0, tzinfo=MSK)
    assert due.due_at.tzinfo is UTC
    assert due.counted_from == "Received"
    assert due.from_at == received


def test_the_local_date_decides_the_day_of_receipt() -> None:
    # 22:30 UTC on 31 Dec is already 1 January in Moscow.
    received = datetime(2025, 12, 31, 22, 30, tzinfo=UTC)

    due = registration_due(received, NORMS, CALENDAR)

    assert due.due_at == datetime(2026, 1, 5, 0, 0, tzinfo=MSK)


def test_forwarding_is_due_seven_days_after_registration() -> None:
    registered = datetime(2025, 12, 26, 11, 0, tzinfo=MSK)

    due = forwarding_due(registered, NORMS, CALENDAR)

    assert due.due_at == datetime(2026, 1, 3, 0, 0, tzinfo=MSK)
    assert due.kind is DueKind.FORWARDING
    assert due.counted_from == "Registered"


def test_the_answer_is_due_thirty_days_after_registration() -> None:
    registered = datetime(2025, 11, 5, 15, 0, tzinfo=MSK)

    due = answer_due(registered, 0, None, NORMS, CALENDAR)

    assert due.due_at == datetime(2025, 12, 6, 0, 0, tzinfo=MSK)
    assert due.counted_from == "Registered"


def test_an_extended_answer_deadline_rests_on_the_extension() -> None:
    registered = datetime(2025, 11, 5, 15, 0, tzinfo=MSK)
    extended = datetime(2025, 12, 1, 10, 0, tzinfo=MSK)

    due = answer_due(registered, 30, extended, NORMS, CALENDAR)

    assert due.due_at == datetime(2026, 1, 5, 0, 0, tzinfo=MSK)
    assert due.counted_from == "DeadlineExtended"
    assert due.from_at == extended
    assert "ст. 12 ч. 1" in due.rule and "ст. 12 ч. 2" in due.rule
    assert registered.isoformat() in due.rule


@pytest.mark.parametrize(
    ("extension_days", "extended_at"),
    [
        (31, datetime(2025, 12, 1, tzinfo=MSK)),
        (-1, None),
        (10, None),
        (0, datetime(2025, 12, 1, tzinfo=MSK)),
    ],
)
def test_an_extension_must_be_single_bounded_and_dated(
    extension_days: int, extended_at: datetime | None
) -> None:
    registered = datetime(2025, 11, 5, 15, 0, tzinfo=MSK)

    with pytest.raises(ValueError, match=r"extension_days|extended_at"):
        answer_due(registered, extension_days, extended_at, NORMS, CALENDAR)


def test_explain_names_the_rule_the_event_and_the_due_instant() -> None:
    received = datetime(2025, 10, 31, 17, 0, tzinfo=MSK)
    due = first_response_due("vk", received, NORMS, CALENDAR)
    assert due is not None

    line = due.explain()

    assert due.rule in line
    assert "Received" in line
    assert received.isoformat() in line
    assert due.due_at.isoformat() in line
    assert "\n" not in line


def test_explain_of_a_registration_cites_59_fz() -> None:
    received = datetime(2025, 10, 30, 12, 0, tzinfo=MSK)

    line = registration_due(received, NORMS, CALENDAR).explain()

    assert "59-ФЗ ст. 8 ч. 2" in line and "3 days" in line


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (
            lambda: registration_due(datetime(2025, 11, 5), NORMS, CALENDAR),
            "received_at",
        ),
        (
            lambda: forwarding_due(datetime(2025, 11, 5), NORMS, CALENDAR),
            "registered_at",
        ),
        (
            lambda: answer_due(datetime(2025, 11, 5), 0, None, NORMS, CALENDAR),
            "registered_at",
        ),
        (
            lambda: answer_due(
                datetime(2025, 11, 5, tzinfo=MSK),
                5,
                datetime(2025, 11, 6),
                NORMS,
                CALENDAR,
            ),
            "extended_at",
        ),
        (
            lambda: first_response_due("vk", datetime(2025, 11, 5), NORMS, CALENDAR),
            "received_at",
        ),
        (
            lambda: first_response_due("web", datetime(2025, 11, 5), NORMS, CALENDAR),
            "received_at",
        ),
    ],
)
def test_a_naive_datetime_is_rejected_naming_the_argument(
    call: Callable[[], object], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        call()


@pytest.mark.parametrize(
    "bad",
    [
        {"registration_days": 0},
        {"default_first_response_hours": 0},
        {"first_response_hours": {"vk": -8}},
        {"max_extension_days": -1},
    ],
)
def test_nonsensical_norms_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Norms(**bad)  # type: ignore[arg-type]


def test_a_reopened_appeal_gets_a_new_answer_period_from_the_reopen() -> None:
    reopened = datetime(2025, 2, 1, 10, 0, tzinfo=MSK)

    due = reopened_answer_due(reopened, NORMS, CALENDAR)

    assert due.due_at == datetime(2025, 3, 4, 0, 0, tzinfo=MSK)
    assert (due.kind, due.counted_from, due.from_at) == (DueKind.ANSWER, "Reopened", reopened)
    assert due.rule.startswith("reopened: a new answer period of 30 days")


@pytest.mark.parametrize(
    ("counted_from", "words"),
    [
        ("Received", "of receipt"),
        ("Forwarded", "receipt by the body it was forwarded to"),
        ("Registered", "decision that a social-media message is a formal appeal"),
    ],
)
def test_registration_due_names_what_receipt_means(counted_from: str, words: str) -> None:
    at = datetime(2025, 1, 15, 10, 0, tzinfo=MSK)

    due = registration_due(at, NORMS, CALENDAR, counted_from=counted_from)

    assert due.due_at == datetime(2025, 1, 19, 0, 0, tzinfo=MSK)
    assert due.counted_from == counted_from
    assert words in due.rule


def test_registration_due_refuses_an_unknown_starting_event() -> None:
    with pytest.raises(ValueError, match="counted_from"):
        registration_due(datetime(2025, 1, 15, tzinfo=MSK), NORMS, CALENDAR, counted_from="Rated")
