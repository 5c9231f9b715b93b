"""Statistics and workload types; the public sees small groups as suppressed, never as numbers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

import strawberry

from api.graphql import enums
from projections.models import StatsGroup, WorkloadRow

if TYPE_CHECKING:
    from api.graphql.types import Info

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
    period_start: date | None
    suppressed: bool = strawberry.field(
        description="True when the group is too small to publish: every figure is null."
    )
    count: int | None
    counts_by_status: list[StatusCount] | None
    first_response_p50: float | None
    first_response_p90: float | None
    resolution_p50: float | None
    resolution_p90: float | None
    on_time_share: float | None
    overdue_now: int | None
    average_rating: float | None
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
            department=row.department, assignee=row.assignee, open_count=row.open_count,
            oldest_received_at=row.oldest_received_at,
            oldest_appeal_id=strawberry.ID(str(row.oldest_appeal_id)),
            nearest_due_at=row.nearest_due_at, overdue_count=row.overdue_count,
        )  # fmt: skip


def statistics_groups(info: Info, groups: list[StatsGroup]) -> list[StatisticsGroup]:
    """Apply the publication rule: for the public, groups under the threshold are suppressed."""
    threshold = info.context.services.settings.suppress_below
    public = info.context.viewer.is_public
    return [_group(g, suppressed=public and g.count < threshold) for g in groups]


def _group(g: StatsGroup, *, suppressed: bool) -> StatisticsGroup:
    period = g.keys.get("period")
    keys = {k: v for k, v in g.keys.items() if k != "period"}

    def shown(value: T) -> T | None:
        return None if suppressed else value

    return StatisticsGroup(
        channel=_text(keys.get("channel")), category=_text(keys.get("category")),
        body=_text(keys.get("body")), department=_text(keys.get("department")),
        period_start=period if isinstance(period, date) else None,
        suppressed=suppressed, count=shown(g.count),
        counts_by_status=shown([StatusCount(status=s, count=n)
                                for s, n in g.counts_by_status.items()]),
        first_response_p50=shown(g.first_response_p50),
        first_response_p90=shown(g.first_response_p90),
        resolution_p50=shown(g.resolution_p50), resolution_p90=shown(g.resolution_p90),
        on_time_share=shown(g.on_time_share), overdue_now=shown(g.overdue_now),
        average_rating=shown(g.average_rating), rated_count=shown(g.rated_count),
    )  # fmt: skip


def _text(value: object) -> str | None:
    return None if value is None else str(value)
