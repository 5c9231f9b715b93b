"""An appeal's history as an auditor replays it: one entry per stored event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from api.graphql import enums
from api.graphql.context import off_loop
from api.graphql.ids import APPEAL, to_global_id
from api.graphql.types import ActorInfo, Info
from api.storage.eventdata import event_data
from ledger.application import HistoryEntry
from ledger.business_time import TimeBasis, time_basis_of

if TYPE_CHECKING:
    from api.graphql.audit_types import InclusionProof


@strawberry.type(
    name="HistoryEntry", description="One stored event of an appeal, as an auditor replays it."
)
class HistoryEntryInfo:
    appeal_uuid: strawberry.Private[UUID]
    appeal_id: strawberry.ID
    position: int | None
    version: int
    type: str
    business_time: datetime
    recorded_time: datetime
    time_basis: TimeBasis = strawberry.field(
        description="What businessTime rests on: the source platform (a receipt), the ledger's "
        "own time (a staff action) or a time stated with timeReason (a migration, a channel)."
    )
    time_reason: str | None = strawberry.field(
        description="Why businessTime was stated rather than the ledger's own; null otherwise."
    )
    actor: ActorInfo
    data: JSON

    @classmethod
    def of(cls, entry: HistoryEntry, appeal_id: UUID, data: dict[str, Any]) -> HistoryEntryInfo:
        """The entry with its ``data`` as :func:`api.storage.eventdata.event_data` made it."""
        event = entry.event
        return cls(
            appeal_uuid=appeal_id,
            appeal_id=strawberry.ID(to_global_id(APPEAL, appeal_id)),
            position=entry.position,
            version=event.originator_version,
            type=type(event).__name__,
            business_time=event.at,
            recorded_time=event.timestamp,
            time_basis=time_basis_of(type(event).__name__, event.time_reason),
            time_reason=event.time_reason,
            actor=ActorInfo(id=event.actor_id, role=enums.Role(event.actor_role)),
            data=cast(JSON, {key: _plain(value) for key, value in data.items()}),
        )

    @strawberry.field(
        description="Merkle inclusion proof; default: against the latest checkpoint. Null, "
        "with a NO_CHECKPOINT error at this path, until a checkpoint covers the event."
    )
    async def inclusion_proof(
        self, info: Info, checkpoint_size: int | None = None
    ) -> Annotated[InclusionProof, strawberry.lazy("api.graphql.audit_types")] | None:
        from api.graphql.audit_types import inclusion_proof

        return await inclusion_proof(info, self.appeal_uuid, self.version, checkpoint_size)


async def history(info: Info, appeal_id: UUID) -> list[HistoryEntryInfo]:
    """Every stored event of the appeal, with positions, actors and data."""
    ledger = info.context.services.container.ledger
    entries = await off_loop(ledger.history, appeal_id)
    data = await off_loop(event_data, ledger, entries)
    return [HistoryEntryInfo.of(e, appeal_id, d) for e, d in zip(entries, data, strict=True)]


def _plain(value: object) -> object:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
