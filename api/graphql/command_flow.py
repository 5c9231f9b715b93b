"""How a mutation runs a ledger command: who may, on which appeal, and the payload it returns.

A mutation asks ``caller`` (role, appeal id, actor), builds a typed command of
``ledger.commands`` and hands it to ``execute``, which runs it with the scope check on the
aggregate and waits until the views show its effect (read-your-writes).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from api.graphql.access import require_role
from api.graphql.context import off_loop
from api.graphql.errors import ApiError, from_ledger
from api.graphql.ids import appeal_uuid
from api.graphql.types import Appeal, Info
from api.runtime.basis import READ_YOUR_WRITES_TIMEOUT
from ledger.application import Recorded
from ledger.commands import AppealCommand
from ledger.domain import Appeal as AppealAggregate
from ledger.errors import LedgerError
from ledger.values import Actor
from projections.models import AppealRow


@strawberry.type(
    description="What a command changed: the appeal as it is now, and the log position."
)
class AppealPayload:
    appeal: Appeal
    position: int | None = strawberry.field(
        description="Log position of the last event recorded; null when nothing was recorded."
    )
    created: bool = strawberry.field(description="False when nothing new was recorded.")


async def payload(info: Info, recorded: Recorded) -> AppealPayload:
    """Wait until the views show this command's effect, then read the appeal from them.

    A new appeal's row is a pure function of its events, so it is folded here from what the
    command recorded, exactly as the views fold it, instead of read back.
    """
    services = info.context.services
    if recorded.position is not None:
        services.metrics.events_appended.inc()
        await services.watcher.wait(recorded.position, READ_YOUR_WRITES_TIMEOUT)
        services.wrote(info.context.client, recorded.position)
        info.context.saw(recorded.position)
    events = recorded.events
    row: AppealRow | None
    if recorded.created and events and isinstance(events[0][1], AppealAggregate.Received):
        row = services.read_side.new_row(events)
    else:
        # The row loaded before the command is stale now: read it afresh.
        row = (await services.get_appeals([recorded.appeal_id])).get(recorded.appeal_id)
    if row is None:
        raise ApiError(
            "UNAVAILABLE",
            "the views are behind; the command was recorded",
            position=recorded.position,
        )
    return AppealPayload(
        appeal=Appeal.of(row), position=recorded.position, created=recorded.created
    )


def caller(info: Info, allowed: frozenset[Any], raw_id: str) -> tuple[UUID, Actor]:
    """Refuse a caller without one of the ``allowed`` roles; the appeal id and the actor."""
    require_role(info, allowed)
    return appeal_uuid(raw_id, "appealId"), info.context.viewer.actor


async def execute(info: Info, command: AppealCommand) -> AppealPayload:
    viewer = info.context.viewer

    def in_scope(current: AppealAggregate) -> None:
        # Scope is checked on the aggregate, the source of truth, never on a lagging view.
        if not viewer.in_scope(current.body, current.department):
            raise ApiError("FORBIDDEN", "this appeal is outside your scope")

    try:
        recorded = await off_loop(ledger_of(info).execute, command, check=in_scope)
    except LedgerError as error:
        raise from_ledger(error) from None
    return await payload(info, recorded)


def ledger_of(info: Info) -> Any:
    return info.context.services.container.ledger
