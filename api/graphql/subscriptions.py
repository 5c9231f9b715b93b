"""Subscriptions over graphql-transport-ws: new events as any process records them."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from api.graphql.access import require_reader
from api.graphql.context import off_loop
from api.graphql.history import HistoryEntryInfo
from api.graphql.ids import appeal_uuid
from api.graphql.types import Info
from api.storage.eventdata import event_data


@strawberry.input(description="Which events to receive; all optional.")
class AppealEventFilter:
    appeal_id: strawberry.ID | None = None
    types: list[str] | None = strawberry.field(default=None, description='e.g. ["Answered"]')


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Events recorded from now on, in log order.")
    async def appeal_events(
        self, info: Info, filter: AppealEventFilter | None = None
    ) -> AsyncGenerator[HistoryEntryInfo, None]:
        require_reader(info)
        where = filter or AppealEventFilter()
        only = appeal_uuid(where.appeal_id, "filter.appealId") if where.appeal_id else None
        types = set(where.types or [])
        viewer = info.context.viewer
        ledger = info.context.services.container.ledger
        async with info.context.services.feed.subscribe() as queue:
            while True:
                entry = await queue.get()
                appeal_id = entry.event.originator_id
                if only is not None and appeal_id != only:
                    continue
                if types and type(entry.event).__name__ not in types:
                    continue
                # The appeal as it is after this event, decided by the feed: a row read
                # here lags behind the event or, loaded once per connection, goes stale.
                if not viewer.in_scope(entry.body, entry.department):
                    continue
                data = await off_loop(event_data, ledger, [entry])
                yield HistoryEntryInfo.of(entry, appeal_id, data[0])
