"""Statistics and workload types; ``projections.disclosure`` decides what the public sees."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

import strawberry

from api.graphql import enums
from projections.models import StatsGroup, WorkloadRow

T = TypeVar("T")


@strawberry.type
class StatusCount:
    status: enums.Status
    count: int


@strawberry.type(description="Figures of one group. Times are in seconds.")
class StatisticsGroup:
    channel: str | None
    category: str | None
    body: str | None
    department: str | None
    source: str | None = strawberry.field(
        description="The official page, bot or mailbox (channel:id); null: none, or not grouped."
    )
    period_start: date | None
    suppressed: bool = strawberry.field(
        description="True when the group is withheld from the public (too small, or "
        "complementary to one that is): every figure is null."
    )
    count: int | None = strawberry.field(
        description="count counts appeals; problems counts each problem once."
    )
    problems: int | None = strawberry.field(
        description="count counts appeals; problems counts each problem once: appeals closed "
        "as a duplicate of another are left out (a reopened one counts again). Null with "
        "count when the group is suppressed."
    )
    counts_by_status: list[StatusCount] | None
    first_response_p50: float | None
    first_response_p90: float | None
    resolution_p50: float | None
    resolution_p90: float | None
    on_time_share: float | None
    overdue_now: int | None
    average_rating: float | None = strawberry.field(
        description="Null for the public when fewer ratings than the suppression threshold "
        "(or a complementary cell) stand behind it; ratedCount is null with it."
    )
    rated_count: int | None


@strawberry.type(description="Open appeals of one department (and assignee).")
class WorkloadEntry:
    department: str | None
    assignee: str | None
    open_count: int
    oldest_received_at: datetime
    oldest_appeal_id: strawberry.ID
    nearest_due_at: datetime | None
    overdue_count: int

    @classmethod
    def of(cls, row: WorkloadRow) -> WorkloadEntry:
        return cls(
            department=row.department,
            assignee=row.assignee,
            open_count=row.open_count,
            oldest_received_at=row.oldest_received_at,
            oldest_appeal_id=strawberry.ID(str(row.oldest_appeal_id)),
            nearest_due_at=row.nearest_due_at,
            overdue_count=row.overdue_count,
        )


def statistics_groups(groups: list[StatsGroup]) -> list[StatisticsGroup]:
    """Show the groups; what the public may see was decided in ``projections.disclosure``."""
    return [_group(g) for g in groups]


def _group(g: StatsGroup) -> StatisticsGroup:
    period = g.keys.get("period")
    keys = {k: v for k, v in g.keys.items() if k != "period"}
    suppressed, rating_hidden = g.suppressed, g.suppressed or g.rating_suppressed

    def shown(value: T) -> T | None:
        return None if suppressed else value

    return StatisticsGroup(
        channel=_text(keys.get("channel")),
        category=_text(keys.get("category")),
        body=_text(keys.get("body")),
        department=_text(keys.get("department")),
        source=_text(keys.get("source")),
        period_start=period if isinstance(period, date) else None,
        suppressed=suppressed,
        count=shown(g.count),
        problems=shown(g.problems),
        counts_by_status=shown(
            [StatusCount(status=s, count=n) for s, n in g.counts_by_status.items()]
        ),
        first_response_p50=shown(g.first_response_p50),
        first_response_p90=shown(g.first_response_p90),
        resolution_p50=shown(g.resolution_p50),
        resolution_p90=shown(g.resolution_p90),
        on_time_share=shown(g.on_time_share),
        overdue_now=shown(g.overdue_now),
        average_rating=None if rating_hidden else g.average_rating,
        rated_count=None if rating_hidden else g.rated_count,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
