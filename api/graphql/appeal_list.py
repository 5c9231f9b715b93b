"""The operator's queue: ``appeals`` with its filters, Relay paging both ways and text search."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment

from api.graphql import enums
from api.graphql.access import require_reader, scoped_filter, sees_nothing
from api.graphql.context import off_loop
from api.graphql.errors import bad_input
from api.graphql.types import Appeal, Info
from ledger.errors import ValidationError
from ledger.values import clean_name, clean_text
from projections.cursor import InvalidCursorError
from projections.models import AppealFilter, AppealPage
from projections.read_models import ReadModels
from projections.search_query import EmptySearchError

MAX_PAGE = 100
NEVER = datetime.max.replace(tzinfo=UTC)
SEARCHABLE = frozenset(
    {
        enums.DueKind.REGISTRATION,
        enums.DueKind.FIRST_RESPONSE,
        enums.DueKind.ANSWER,
        enums.DueKind.NOTICE,
    }
)


@strawberry.input(description="Operator filters; all optional and combined with AND.")
class AppealFilterInput:
    status: enums.Status | None = None
    statuses: list[enums.Status] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    channel: enums.Channel | None = None
    category: str | None = None
    body: str | None = None
    department: str | None = None
    assignee: str | None = strawberry.field(
        default=None, description="The assignee as recorded by assignAppeal."
    )
    assigned_to_me: bool | None = strawberry.field(
        default=None, description="Only appeals assigned to the token's subject."
    )
    registration_number: str | None = None
    external_id: str | None = strawberry.field(
        default=None, description="The id the source platform gave the message."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="A due date (of dueKind, if given) has passed unmet."
    )
    due_before: datetime | None = strawberry.field(
        default=None, description="An unmet due date (of dueKind, if given) before this instant."
    )
    due_kind: enums.DueKind | None = strawberry.field(
        default=None,
        description="Narrows overdue and dueBefore to one clock: REGISTRATION, FIRST_RESPONSE, "
        "ANSWER or NOTICE (an obligation of that kind still unmet on an open appeal; after a "
        "59-ФЗ ст. 11 decision the appeal awaits its NOTICE, no longer an ANSWER).",
    )
    received_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    received_to: datetime | None = strawberry.field(default=None, description="Exclusive.")
    source: str | None = strawberry.field(
        default=None, description="The page, bot or mailbox, as channel:platform id."
    )
    text: str | None = strawberry.field(
        default=None,
        description="Full-text search in Russian (word forms match) over the message, public "
        "answers and notes; every word must occur in one of them.",
    )


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


def text_filter(value: str | None, field: str) -> str | None:
    """Filter strings follow the intake rules: no control characters (NUL breaks PostgreSQL)."""
    if value is None:
        return None
    try:
        return clean_name(value, field)
    except ValidationError as error:
        raise bad_input(field, error.reason) from None


def _search_text(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return clean_text(value, "filter.text")
    except ValidationError as error:
        raise bad_input("filter.text", error.reason) from None


def appeal_filter(info: Info, where: AppealFilterInput | None) -> AppealFilter:
    """The filter as asked, narrowed to the viewer's scope by the access policy."""
    where = where or AppealFilterInput()
    if where.due_kind is not None and where.due_kind not in SEARCHABLE:
        raise bad_input("filter.dueKind", "must be REGISTRATION, FIRST_RESPONSE, ANSWER or NOTICE")
    assignee = text_filter(where.assignee, "filter.assignee")
    if where.assigned_to_me:
        mine = info.context.viewer.subject
        if assignee not in (None, mine):
            raise bad_input("filter.assignee", "contradicts assignedToMe")
        assignee = mine
    asked = AppealFilter(
        status=where.status,
        statuses=tuple(where.statuses) if where.statuses is not None else None,
        channel=where.channel,
        category=text_filter(where.category, "filter.category"),
        body=text_filter(where.body, "filter.body"),
        department=text_filter(where.department, "filter.department"),
        assignee=assignee,
        registration_number=text_filter(where.registration_number, "filter.registrationNumber"),
        external_id=text_filter(where.external_id, "filter.externalId"),
        overdue=where.overdue,
        due_before=where.due_before,
        due_kind=where.due_kind,
        received_from=where.received_from,
        received_to=where.received_to,
        source=text_filter(where.source, "filter.source"),
        text=_search_text(where.text),
    )
    return scoped_filter(info, asked)


def _page_size(first: int | None, last: int | None, after: str | None, before: str | None) -> None:
    if (last is not None or before is not None) and (first is not None or after is not None):
        raise bad_input("last", "page with first/after or with last/before, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 1 <= value <= MAX_PAGE:
            raise bad_input(name, f"must be 1-{MAX_PAGE}")


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


async def list_appeals(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    where: AppealFilterInput | None,
    order: enums.AppealOrder,
) -> AppealConnection:
    """Resolve ``appeals``: check, scope, read one page, and wrap it as a connection."""
    require_reader(info)
    _page_size(first, last, after, before)
    backward = last is not None or before is not None
    size = (last if backward else first) or 20
    scoped = appeal_filter(info, where)
    if order is enums.AppealOrder.RELEVANCE and scoped.text is None:
        raise bad_input("orderBy", "RELEVANCE needs filter.text")
    if sees_nothing(info):
        empty = PageInfo(
            has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
        )
        info.context.cache_until = NEVER
        return AppealConnection(edges=[], page_info=empty, total_count=0)
    context = info.context
    count = _selects_total(info)

    def query(models: ReadModels) -> AppealPage:
        return models.list_appeals(
            scoped,
            order,
            size,
            after,
            count=count,
            last=size if backward else None,
            before=before,
        )

    try:
        if context.reads is not None:  # pinned with the page cache's key: read exactly those
            page = await off_loop(query, context.reads)
        else:
            page = await context.services.read(context.reader, query)
    except InvalidCursorError as error:
        field = "before" if backward else "after"
        raise bad_input(field, f"is not a cursor of this list ({error.reason})") from None
    except EmptySearchError:
        raise bad_input("filter.text", "has no words to search for") from None
    if scoped.overdue is None:
        # ``overdue`` flips at the first due date of a row not overdue yet: keep it till then.
        pending = [r.next_due_at for r in page.rows if r.next_due_at is not None and not r.overdue]
        context.cache_until = min(pending, default=NEVER)
    edges = [
        AppealEdge(cursor=cursor, node=Appeal.of(row))
        for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    return AppealConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total_count or 0,  # not counted only when not selected
    )
