"""The production calendar against real Russian calendar facts of 2025–2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ledger.calendar import ProductionCalendar

MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 11, 1), True),  # Saturday worked; its day off moved to 3 Nov
        (date(2025, 11, 3), False),  # transferred day off
        (date(2025, 11, 4), False),  # Unity Day
        (date(2025, 11, 8), False),  # ordinary Saturday
        (date(2025, 11, 9), False),  # ordinary Sunday
        (date(2025, 11, 5), True),  # ordinary Wednesday
        (date(2025, 12, 31), False),  # transferred day off (from 2025-01-05)
        (date(2026, 1, 8), False),  # New Year holidays
        (date(2026, 1, 9), False),  # Friday, transferred day off (from 2026-01-03)
        (date(2026, 1, 12), True),  # Monday after the holidays
    ],
)
def test_working_days_follow_the_russian_production_calendar(day: date, working: bool) -> None:
    calendar = ProductionCalendar()

    result = calendar.is_working_day(day)

    assert result is working


def test_hours_are_added_only_inside_the_working_window() -> None:
    calendar = ProductionCalendar()
    wednesday_afternoon = datetime(2025, 11, 5, 16, 0, tzinfo=MSK)

    due = calendar.add_working_hours(wednesday_afternoon, 3)

    assert due == datetime(2025, 11, 6, 10, 0, tzinfo=MSK)
    assert due.tzinfo is UTC


def test_a_start_before_opening_counts_from_opening() -> None:
    calendar = ProductionCalendar()
    early_morning = datetime(2025, 11, 5, 6, 30, tzinfo=MSK)

    due = calendar.add_working_hours(early_morning, 2)

    assert due == datetime(2025, 11, 5, 11, 0, tzinfo=MSK)


def test_hours_that_exactly_fill_the_day_end_at_closing_time() -> None:
    calendar = ProductionCalendar()
    opening = datetime(2025, 11, 5, 9, 0, tzinfo=MSK)

    due = calendar.add_working_hours(opening, 9)

    assert due == datetime(2025, 11, 5, 18, 0, tzinfo=MSK)


def test_a_start_in_another_timezone_is_counted_in_moscow_hours() -> None:
    calendar = ProductionCalendar()
    utc_start = datetime(2025, 11, 5, 14, 0, tzinfo=UTC)  # 17:00 MSK

    due = calendar.add_working_hours(utc_start, 2)

    assert due == datetime(2025, 11, 6, 10, 0, tzinfo=MSK)


def test_a_regional_calendar_uses_its_own_timezone_and_hours() -> None:
    calendar = ProductionCalendar("Asia/Vladivostok", time(8), time(17))
    friday_evening = datetime(2025, 11, 7, 16, 0, tzinfo=ZoneInfo("Asia/Vladivostok"))

    due = calendar.add_working_hours(friday_evening, 2)

    assert due == datetime(2025, 11, 10, 9, 0, tzinfo=ZoneInfo("Asia/Vladivostok"))


def test_zero_hours_are_due_at_the_start_itself() -> None:
    calendar = ProductionCalendar()
    sunday = datetime(2025, 11, 9, 12, 0, tzinfo=MSK)

    due = calendar.add_working_hours(sunday, 0)

    assert due == sunday


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Friday 17:00 to Monday 10:00: one hour on Friday, one on Monday.
        (
            datetime(2025, 11, 7, 17, tzinfo=MSK),
            datetime(2025, 11, 10, 10, tzinfo=MSK),
            2.0,
        ),
        # Across the November transfer: Fri 31 Oct 1h + Sat 1 Nov 9h + Wed 5 Nov 1h.
        (
            datetime(2025, 10, 31, 17, tzinfo=MSK),
            datetime(2025, 11, 5, 10, tzinfo=MSK),
            11.0,
        ),
        # Entirely inside the New Year holidays.
        (
            datetime(2026, 1, 1, 9, tzinfo=MSK),
            datetime(2026, 1, 11, 18, tzinfo=MSK),
            0.0,
        ),
        # Reversed interval is negative.
        (
            datetime(2025, 11, 5, 12, tzinfo=MSK),
            datetime(2025, 11, 5, 9, 30, tzinfo=MSK),
            -2.5,
        ),
    ],
)
def test_working_hours_between_counts_only_working_time(
    start: datetime, end: datetime, hours: float
) -> None:
    calendar = ProductionCalendar()

    result = calendar.working_hours_between(start, end)

    assert result == pytest.approx(hours)


@pytest.mark.parametrize("hours", [0.5, 1, 8, 9, 17.25, 40, 200])
def test_adding_hours_and_measuring_them_back_agree(hours: float) -> None:
    calendar = ProductionCalendar()
    start = datetime(2025, 12, 29, 13, 7, tzinfo=timezone(timedelta(hours=5)))

    due = calendar.add_working_hours(start, hours)

    assert calendar.working_hours_between(start, due) == pytest.approx(hours)


def test_naive_start_is_rejected_by_name() -> None:
    calendar = ProductionCalendar()

    with pytest.raises(ValueError, match="start"):
        calendar.add_working_hours(datetime(2025, 11, 5, 9), 1)


@pytest.mark.parametrize("hours", [-1.0, float("nan"), float("inf")])
def test_hours_must_be_finite_and_non_negative(hours: float) -> None:
    calendar = ProductionCalendar()

    with pytest.raises(ValueError, match="hours"):
        calendar.add_working_hours(datetime(2025, 11, 5, 9, tzinfo=MSK), hours)


def test_a_working_window_must_open_before_it_closes() -> None:
    with pytest.raises(ValueError, match="precede"):
        ProductionCalendar(work_start=time(18), work_end=time(9))
