"""What one appeal adds to the statistics cells, as a pure function of its state.

A cell is (grain, bucket, channel, category, body, department, source): grain ``d`` buckets by
the local received date, grain ``m`` by its month. A missing category, department or source
(an appeal that came through no official page) is stored as ``''``.
The projection adds a state's contribution and subtracts its previous one, so cells are sums.

An appeal still waiting (for its first answer, or to be closed) also contributes the UTC hour
its wait began (``first_response_since``, ``resolution_since``): rankings count it as "at least
this long" (censored), from month cells, never from appeals (``projections.survival``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.calendar import ProductionCalendar
from ledger.values import Status
from projections.appeal_state import AppealState
from projections.codec import HOUR_US, ceil_hour, to_us
from projections.histogram import bin_of

STATUSES = tuple(Status)
VALUES = (
    "n",
    "problems",
    *(f"n_{s.value}" for s in STATUSES),
    "on_time",
    "answered_with_due",
    "rating_sum",
    "rated",
)
_STATUS_SLOT = {status: 2 + i for i, status in enumerate(STATUSES)}
FIRST_RESPONSE = "f"
RESOLUTION = "r"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One appeal's share of its day cell and its month cell."""

    dims: tuple[str, str, str, str, str]
    day: int
    month: int
    values: tuple[int, ...]
    first_response_bin: int | None
    resolution_bin: int | None
    due_hour: int | None
    first_response_since: int | None = None
    resolution_since: int | None = None


def contribution(state: AppealState, calendar: ProductionCalendar) -> Contribution:
    """The figures a state contributes; see ``projections.statistics_query`` for meanings."""
    # The body the appeal is counted under received it at the forwarding, if it was forwarded.
    received = state.body_received_at or state.received_at
    local: date = calendar.local_date(received)
    values = [0] * len(VALUES)
    values[0] = 1
    # An appeal closed as a duplicate of another is the same problem: counted once, there.
    values[1] = int(state.status is not Status.CLOSED or state.duplicate_of is None)
    values[_STATUS_SLOT[state.status]] = 1
    if state.answered_on_time is not None:
        values[-3] = 1
        values[-4] = int(state.answered_on_time)
    if state.rating is not None:
        values[-2] = state.rating
        values[-1] = 1
    first = resolution = None
    if state.first_response_at is not None:
        first = bin_of((state.first_response_at - state.received_at).total_seconds())
    if state.status is Status.CLOSED and state.closed_at is not None:
        resolution = bin_of((state.closed_at - received).total_seconds())
    due = state.next_due_at
    waiting_first = waiting_close = None
    if state.status is not Status.CLOSED:
        waiting_close = (to_us(received) or 0) // HOUR_US
        if state.first_response_at is None:
            waiting_first = (to_us(state.received_at) or 0) // HOUR_US
    return Contribution(
        dims=(
            state.channel.value,
            state.category or "",
            state.body,
            state.department or "",
            state.source or "",
        ),
        day=local.toordinal(),
        month=local.replace(day=1).toordinal(),
        values=tuple(values),
        first_response_bin=first,
        resolution_bin=resolution,
        due_hour=ceil_hour(to_us(due) or 0) if due is not None else None,
        first_response_since=waiting_first,
        resolution_since=waiting_close,
    )
