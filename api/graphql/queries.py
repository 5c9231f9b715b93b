"""The Query root: appeals for operators and auditors, statistics for everyone."""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql import enums
from api.graphql.access import require_reader, require_visible
from api.graphql.appeal_list import AppealConnection, AppealFilterInput, list_appeals, text_filter
from api.graphql.audit_types import LedgerInfo, ledger_info
from api.graphql.errors import ApiError, bad_input
from api.graphql.hotspots import HotspotInfo, hotspots
from api.graphql.ids import appeal_uuid
from api.graphql.lookups import Lookups, lookups
from api.graphql.rankings import Ranking, resolve_rankings
from api.graphql.statistics import StatisticsGroup, WorkloadEntry, statistics_groups
from api.graphql.types import Appeal, Info, Node
from api.graphql.viewer_info import ViewerInfo, viewer_info
from projections.models import (
    StatsFilter,
    WorkloadFilter,
)


@strawberry.input(description="Statistics filters; dates are local received dates, inclusive.")
class StatisticsFilterInput:
    channel: enums.Channel | None = None
    category: str | None = None
    body: str | None = None
    department: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    source: str | None = strawberry.field(
        default=None, description="The official page, bot or mailbox, as channel:id."
    )


@strawberry.input(description="Which open work to show.")
class WorkloadFilterInput:
    department: str | None = None
    body: str | None = None
    by_assignee: bool = False


async def load_appeal(info: Info, raw_id: str, field: str = "id") -> Appeal | None:
    """Resolve an appeal id in the viewer's scope."""
    require_reader(info)
    row = await info.context.appeal_rows.load(appeal_uuid(raw_id, field))
    if row is None:
        return None
    require_visible(info, row)
    return Appeal.of(row)


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id (Relay).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_appeal(info, id)

    @strawberry.field(description="One appeal by global id or UUID.")
    async def appeal(self, info: Info, id: strawberry.ID) -> Appeal | None:
        return await load_appeal(info, id)

    @strawberry.field(
        description="Appeals in the viewer's scope, keyset-paginated both ways (first/after "
        "or last/before, 1-100; default first 20)."
    )
    async def appeals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AppealFilterInput | None = None,
        order_by: enums.AppealOrder = enums.AppealOrder.RECEIVED_AT_DESC,
    ) -> AppealConnection:
        return await list_appeals(
            info, first=first, after=after, last=last, before=before, where=filter, order=order_by
        )

    @strawberry.field(description="Grouped statistics; O(groups), never a scan of appeals.")
    async def statistics(
        self,
        info: Info,
        filter: StatisticsFilterInput | None = None,
        group_by: list[enums.Dimension] | None = None,
        period: enums.Period | None = None,
    ) -> list[StatisticsGroup]:
        if info.context.viewer.token_error is not None:
            raise ApiError("UNAUTHENTICATED", f"token is {info.context.viewer.token_error}")
        where = filter or StatisticsFilterInput()
        dims = list(group_by or [])
        if len(set(dims)) != len(dims):
            raise bad_input("groupBy", "lists a dimension twice")
        stats_filter = StatsFilter(
            channel=where.channel,
            category=text_filter(where.category, "filter.category"),
            body=text_filter(where.body, "filter.body"),
            department=text_filter(where.department, "filter.department"),
            received_from=where.received_from,
            received_to=where.received_to,
            source=text_filter(where.source, "filter.source"),
        )
        services, reader = info.context.services, info.context.reader
        if info.context.viewer.is_public:
            threshold = services.settings.suppress_below
            groups = await services.read(
                reader, lambda m: m.public_statistics(stats_filter, dims, period, threshold)
            )
        else:
            groups = await services.read(reader, lambda m: m.statistics(stats_filter, dims, period))
        return statistics_groups(groups)

    @strawberry.field(
        description="The sharpest problems: category × body groups whose appeals in the period "
        "(the days ending on `end`, default today) grow against the `baselinePeriods` before; "
        "from the statistics cells, O(groups). The public gets no figures."
    )
    async def hotspots(
        self,
        info: Info,
        period: enums.Period = enums.Period.WEEK,
        end: date | None = None,
        baseline_periods: int = 8,
        first: int = 10,
        body: str | None = None,
        category: str | None = None,
    ) -> list[HotspotInfo]:
        return await hotspots(info, period, end, baseline_periods, first, body, category)

    @strawberry.field(description="Who the token is, its scope and what it may do.")
    def viewer(self, info: Info) -> ViewerInfo:
        return viewer_info(info)

    @strawberry.field(description="Bodies, departments, categories, channels for forms.")
    def lookups(self, info: Info) -> Lookups:
        return lookups(info)

    rankings: list[Ranking] = strawberry.field(
        resolver=resolve_rankings,
        description="Fair rankings of one month (any day names it); public, O(groups).",
    )

    @strawberry.field(description="The verifiable log: head, signed checkpoints, proofs.")
    def ledger(self, info: Info) -> LedgerInfo:
        return ledger_info(info)

    @strawberry.field(description="Open work per department (and assignee).")
    async def workload(
        self, info: Info, filter: WorkloadFilterInput | None = None
    ) -> list[WorkloadEntry]:
        require_reader(info)
        where = filter or WorkloadFilterInput()
        asked = WorkloadFilter(
            department=text_filter(where.department, "filter.department"),
            body=text_filter(where.body, "filter.body"),
            by_assignee=where.by_assignee,
        )
        rows = await info.context.services.read(
            info.context.reader, lambda models: models.workload(asked)
        )
        viewer = info.context.viewer
        return [
            WorkloadEntry.of(row)
            for row in rows
            if viewer.role.value != "operator" or row.department == viewer.department
        ]
