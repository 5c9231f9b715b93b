"""The Query root: appeals for operators and auditors, statistics for everyone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment

from api.graphql import enums
from api.graphql.access import require_reader, require_visible
from api.graphql.audit_types import LedgerInfo, ledger_info
from api.graphql.context import off_loop
from api.graphql.errors import ApiError, bad_input
from api.graphql.ids import appeal_uuid
from api.graphql.rankings import Ranking, resolve_rankings
from api.graphql.statistics import StatisticsGroup, WorkloadEntry, statistics_groups
from api.graphql.types import Appeal, Info, Node
from ledger.errors import ValidationError
from ledger.values import clean_name
from projections.appeals_query import row_cursor
from projections.cursor import InvalidCursorError
from projections.models import (
    AppealFilter,
    StatsFilter,
    WorkloadFilter,
)

MAX_PAGE = 100


@strawberry.input(description="Operator filters; all optional and combined with AND.")
class AppealFilterInput:
    status: enums.Status | None = None
    channel: enums.Channel | None = None
    category: str | None = None
    body: str | None = None
    department: str | None = None
    overdue: bool | None = None
    received_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    received_to: datetime | None = strawberry.field(default=None, description="Exclusive.")
    source: str | None = strawberry.field(
        default=None, description="The page, bot or mailbox, as channel:platform id."
    )


@strawberry.input(description="Statistics filters; dates are local received dates, inclusive.")
class StatisticsFilterInput:
    channel: enums.Channel | None = None
    category: str | None = None
    body: str | None = None
    department: str | None = None
    received_from: date | None = None
    received_to: date | None = None


@strawberry.input(description="Which open work to show.")
class WorkloadFilterInput:
    department: str | None = None
    body: str | None = None
    by_assignee: bool = False


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class AppealEdge:
    cursor: str
    node: Appeal


@strawberry.type(description="A page of appeals in a stable keyset order.")
class AppealConnection:
    edges: list[AppealEdge]
    page_info: PageInfo
    total_count: int


async def load_appeal(info: Info, raw_id: str, field: str = "id") -> Appeal | None:
    """Resolve an appeal id in the viewer's scope."""
    require_reader(info)
    row = await info.context.appeal_rows.load(appeal_uuid(raw_id, field))
    if row is None:
        return None
    require_visible(info, row)
    return Appeal.of(row)


def _selects_total(info: Info) -> bool:
    """Whether ``totalCount`` is asked for; a count is a scan, so skip it when it is not."""

    def walk(selections: list[Any]) -> bool:
        for selection in selections:
            if isinstance(selection, FragmentSpread):
                return True  # named fragments are resolved lazily: count to be safe
            if getattr(selection, "name", None) == "totalCount":
                return True
            if isinstance(selection, InlineFragment) and walk(selection.selections):
                return True
        return False

    return any(walk(field.selections) for field in info.selected_fields)


def text_filter(value: str | None, field: str) -> str | None:
    """Filter strings follow the intake rules: no control characters (NUL breaks PostgreSQL)."""
    if value is None:
        return None
    try:
        return clean_name(value, field)
    except ValidationError as error:
        raise bad_input(field, error.reason) from None


def _scoped_filter(info: Info, where: AppealFilterInput | None) -> AppealFilter:
    where = where or AppealFilterInput()
    category = text_filter(where.category, "filter.category")
    viewer = info.context.viewer
    body = text_filter(where.body, "filter.body")
    department = text_filter(where.department, "filter.department")
    if viewer.role.value in ("operator", "supervisor") and viewer.body:
        if body not in (None, viewer.body):
            raise ApiError("FORBIDDEN", "body is outside your scope")
        body = viewer.body
    if viewer.role.value == "operator":
        if department not in (None, viewer.department):
            raise ApiError("FORBIDDEN", "department is outside your scope")
        department = viewer.department
    return AppealFilter(
        status=where.status,
        channel=where.channel,
        category=category, body=body, department=department, overdue=where.overdue,
        received_from=where.received_from, received_to=where.received_to,
        source=text_filter(where.source, "filter.source"),
    )  # fmt: skip


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id (Relay).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_appeal(info, id)

    @strawberry.field(description="One appeal by global id or UUID.")
    async def appeal(self, info: Info, id: strawberry.ID) -> Appeal | None:
        return await load_appeal(info, id)

    @strawberry.field(description="Appeals in the viewer's scope, keyset-paginated.")
    async def appeals(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: AppealFilterInput | None = None,
        order_by: enums.AppealOrder = enums.AppealOrder.RECEIVED_AT_DESC,
    ) -> AppealConnection:
        require_reader(info)
        if not 1 <= first <= MAX_PAGE:
            raise bad_input("first", f"must be 1-{MAX_PAGE}")
        order = order_by
        read_models = await info.context.services.reads_for(info.context.client)
        try:
            page = await off_loop(read_models.list_appeals, _scoped_filter(info, filter), order,
                                  first, after, count=_selects_total(info))  # fmt: skip
        except InvalidCursorError as error:
            raise bad_input("after", f"is not a cursor of this list ({error.reason})") from None
        edges = [AppealEdge(cursor=row_cursor(order, row), node=Appeal.of(row))
                 for row in page.rows]  # fmt: skip
        return AppealConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next, has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count or 0,  # not counted only when not selected
        )  # fmt: skip

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
            received_from=where.received_from, received_to=where.received_to,
        )  # fmt: skip
        read_models = await info.context.services.reads_for(info.context.client)
        if info.context.viewer.is_public:
            threshold = info.context.services.settings.suppress_below
            groups = await off_loop(read_models.public_statistics, stats_filter, dims, period,
                                    threshold)  # fmt: skip
        else:
            groups = await off_loop(read_models.statistics, stats_filter, dims, period)
        return statistics_groups(groups)

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
        read_models = await info.context.services.reads_for(info.context.client)
        rows = await off_loop(
            read_models.workload,
            WorkloadFilter(department=text_filter(where.department, "filter.department"),
                           body=text_filter(where.body, "filter.body"),
                           by_assignee=where.by_assignee),
        )  # fmt: skip
        viewer = info.context.viewer
        return [
            WorkloadEntry.of(row)
            for row in rows
            if viewer.role.value != "operator" or row.department == viewer.department
        ]
