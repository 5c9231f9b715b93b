"""``lookups``: bodies, departments, categories and channels for forms, in the viewer's scope."""

from __future__ import annotations

import strawberry

from api.graphql.access import require_reader, scope_of, scoped_filter, sees_nothing
from api.graphql.appeal_list import text_filter
from api.graphql.types import Info
from ledger.values import Channel
from projections.lookup_query import LookupEntry
from projections.models import AppealFilter, Dimension


@strawberry.type(name="LookupEntry", description="A value with its appeals in your scope.")
class LookupEntryInfo:
    value: str
    count: int = strawberry.field(description="Appeals with this value, open or not.")
    open_count: int = strawberry.field(description="Of them, open now.")

    @classmethod
    def of(cls, entry: LookupEntry) -> LookupEntryInfo:
        return cls(value=entry.value, count=entry.count, open_count=entry.open_count)


async def _values(
    info: Info, dimension: Dimension, body: str | None, department: str | None
) -> list[LookupEntryInfo]:
    if sees_nothing(info):
        return []
    found = await info.context.services.read(
        info.context.reader, lambda models: models.lookup(dimension, body, department)
    )
    return [LookupEntryInfo.of(entry) for entry in found]


@strawberry.type(description="Values for forms, from the statistics cells (never a scan).")
class Lookups:
    @strawberry.field(description="Bodies in your scope.")
    async def bodies(self, info: Info) -> list[LookupEntryInfo]:
        return await _values(info, Dimension.BODY, *scope_of(info))

    @strawberry.field(description="Departments of a body (yours only, for an operator).")
    async def departments(self, info: Info, body: str) -> list[LookupEntryInfo]:
        asked = AppealFilter(body=text_filter(body, "body"))
        scoped = scoped_filter(info, asked)
        return await _values(info, Dimension.DEPARTMENT, scoped.body, scoped.department)

    @strawberry.field(description="Categories in your scope.")
    async def categories(self, info: Info) -> list[LookupEntryInfo]:
        return await _values(info, Dimension.CATEGORY, *scope_of(info))

    @strawberry.field(description="Channels in your scope (values as in the Channel enum).")
    async def channels(self, info: Info) -> list[LookupEntryInfo]:
        found = await _values(info, Dimension.CHANNEL, *scope_of(info))
        for entry in found:
            entry.value = Channel(entry.value).name
        return found


def lookups(info: Info) -> Lookups:
    """The lookups root; staff only."""
    require_reader(info)
    return Lookups()
