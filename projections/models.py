"""The plain, frozen values the read side hands out: rows, filters, orders and pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from ledger.deadlines import DueKind
from ledger.values import Channel, Outcome, Status


@dataclass(frozen=True, slots=True)
class AppealRow:
    """One appeal as the appeals view holds it; ``overdue`` is computed against query time."""

    id: UUID
    channel: Channel
    external_id: str
    status: Status
    category: str | None
    body: str
    department: str | None
    assignee: str | None
    citizen_id: str | None
    received_at: datetime
    registered_at: datetime | None
    first_response_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    registration_due_at: datetime | None
    forwarding_due_at: datetime | None
    answer_due_at: datetime | None
    first_response_due_at: datetime | None
    extended: bool
    outcome: Outcome | None
    duplicate_of: UUID | None
    rating: int | None
    reopen_count: int
    version: int
    last_position: int
    body_received_at: datetime | None
    answered_on_time: bool | None
    registration_number: str | None
    location: str | None
    forwarded_from: str | None
    forward_reason: str | None
    extension_reason: str | None
    source: str | None
    published_at: datetime | None
    awaits_notice: bool
    next_due_at: datetime | None
    overdue: bool


class AppealOrder(StrEnum):
    """Stable keyset orders; every order ends with the appeal id as a tie-breaker."""

    RECEIVED_AT_DESC = "received_at_desc"
    RECEIVED_AT_ASC = "received_at_asc"
    DUE_AT_ASC = "due_at_asc"
    RELEVANCE = "relevance"
    """Best text match first (needs a text filter); ties by appeal id."""


@dataclass(frozen=True, slots=True)
class AppealFilter:
    """Operator filters, combined with AND; ``received_from`` inclusive, ``received_to`` not.

    ``due_kind`` narrows ``overdue`` and ``due_before`` to one legal clock (an obligation of
    that kind still unmet on an open appeal); without it they use the nearest unmet due date.
    ``text`` is a full-text query (``projections.search_query``).
    """

    status: Status | None = None
    channel: Channel | None = None
    category: str | None = None
    body: str | None = None
    department: str | None = None
    overdue: bool | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    statuses: tuple[Status, ...] | None = None
    assignee: str | None = None
    registration_number: str | None = None
    external_id: str | None = None
    due_before: datetime | None = None
    due_kind: DueKind | None = None
    text: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class AppealPage:
    """One page of a keyset-paginated list."""

    rows: list[AppealRow]
    total_count: int | None  # None when the caller did not ask for the count
    has_next: bool
    end_cursor: str | None
    has_previous: bool = False
    cursors: list[str] = field(default_factory=list)
    """Each row's cursor, in page order."""


class Dimension(StrEnum):
    """What statistics can be grouped and filtered by."""

    CHANNEL = "channel"
    CATEGORY = "category"
    BODY = "body"
    DEPARTMENT = "department"
    SOURCE = "source"
    """The official page, bot or mailbox an appeal came through (``channel:platform id``)."""


class Period(StrEnum):
    """Buckets of the received date, in the calendar's timezone; weeks start on Monday."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class StatsFilter:
    """Equality filters on dimensions and an inclusive range of received local dates."""

    channel: Channel | None = None
    category: str | None = None
    body: str | None = None
    department: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class StatsGroup:
    """Figures of one statistics group; see ``projections.statistics_query`` for definitions."""

    keys: dict[str, str | date | None]
    count: int
    problems: int
    """Appeals not closed as a duplicate of another: each problem counted once."""
    counts_by_status: dict[Status, int]
    first_response_p50: float | None
    first_response_p90: float | None
    resolution_p50: float | None
    resolution_p90: float | None
    on_time_share: float | None
    answered_with_due: int
    overdue_now: int
    average_rating: float | None
    rated_count: int
    # Set only for the public (``projections.public_statistics``): the figures are hidden.
    suppressed: bool = False
    rating_suppressed: bool = False


@dataclass(frozen=True, slots=True)
class WorkloadFilter:
    """Which open work to show; ``by_assignee`` splits each department by assignee."""

    department: str | None = None
    body: str | None = None
    by_assignee: bool = False


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    """Open appeals of one department (and assignee), the oldest one and the nearest due."""

    department: str | None
    assignee: str | None
    open_count: int
    oldest_received_at: datetime
    oldest_appeal_id: UUID
    nearest_due_at: datetime | None
    overdue_count: int = field(default=0)
