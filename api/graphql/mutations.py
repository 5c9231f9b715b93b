"""Mutations: one per ledger command, each with one ``input`` and a read-your-writes payload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry

from api.graphql import enums
from api.graphql.access import require_role
from api.graphql.context import off_loop
from api.graphql.errors import ApiError, from_ledger
from api.graphql.ids import appeal_uuid
from api.graphql.types import Appeal, Info
from api.http.viewer import ERASERS, PERMISSIONS, ROUTERS, WRITERS
from ledger.application import AppealsLedger, Recorded
from ledger.domain import Appeal as AppealAggregate
from ledger.errors import LedgerError
from ledger.privacy import Citizen
from projections.models import AppealRow

READ_YOUR_WRITES_TIMEOUT = 5.0


@strawberry.type(
    description="What a command changed: the appeal as it is now, and the log position."
)
class AppealPayload:
    appeal: Appeal
    position: int | None = strawberry.field(
        description="Log position of the last event recorded; null when nothing was recorded."
    )
    created: bool = strawberry.field(description="False when nothing new was recorded.")


@strawberry.input
class EraseCitizenDataInput:
    citizen_id: str
    legal_basis: str = strawberry.field(description="e.g. 152-ФЗ ст. 21 ч. 4")


@strawberry.type(description="The citizen's key is destroyed; their appeals record the erasure.")
class EraseCitizenDataPayload:
    citizen_id: str
    appeals: list[Appeal]
    positions: list[int]


@strawberry.input
class CitizenInput:
    name: str | None = None
    contact: str | None = None
    address: str | None = None
    id: str | None = strawberry.field(default=None, description="Pseudonymous citizen id.")


@strawberry.input
class ReceiveAppealInput:
    channel: enums.Channel
    external_id: str
    text: str
    body: str
    category: str | None = None
    location: str | None = None
    citizen: CitizenInput | None = None
    received_at: datetime | None = strawberry.field(
        default=None, description="Business time from the source platform; default now."
    )


@strawberry.input
class RegisterAppealInput:
    appeal_id: strawberry.ID
    number: str
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class CategorizeAppealInput:
    appeal_id: strawberry.ID
    category: str
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class AssignAppealInput:
    appeal_id: strawberry.ID
    department: str
    assignee: str
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class ForwardAppealInput:
    appeal_id: strawberry.ID
    to_body: str
    reason: str
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class ExtendAppealDeadlineInput:
    appeal_id: strawberry.ID
    days: int
    reason: str
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class AnswerAppealInput:
    appeal_id: strawberry.ID
    text: str
    final: bool = True
    public: bool = False
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class CloseAppealInput:
    appeal_id: strawberry.ID
    outcome: enums.Outcome
    duplicate_of: strawberry.ID | None = None
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class ReopenAppealInput:
    appeal_id: strawberry.ID
    reason: str
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input(description="An internal note: staff only, never shown to the citizen.")
class AddAppealNoteInput:
    appeal_id: strawberry.ID
    text: str
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input
class RateAppealInput:
    appeal_id: strawberry.ID
    score: int
    expected_version: int | None = None
    at: datetime | None = None


async def _payload(info: Info, recorded: Recorded) -> AppealPayload:
    """Wait until the views show this command's effect, then read the appeal from them.

    A new appeal's row is a pure function of its events, so it is folded here from what the
    command recorded, exactly as the views fold it, instead of read back.
    """
    services = info.context.services
    if recorded.position is not None:
        services.metrics.events_appended.inc()
        await services.watcher.wait(recorded.position, READ_YOUR_WRITES_TIMEOUT)
    events = recorded.events
    row: AppealRow | None
    if recorded.created and events and isinstance(events[0][1], AppealAggregate.Received):
        row = services.read_side.new_row(events)
    else:
        # The row loaded before the command is stale now: read it afresh.
        row = (await services.get_appeals([recorded.appeal_id])).get(recorded.appeal_id)
    if row is None:
        raise ApiError("UNAVAILABLE", "the views are behind; the command was recorded",
                       position=recorded.position)  # fmt: skip
    return AppealPayload(appeal=Appeal.of(row), position=recorded.position,
                         created=recorded.created)  # fmt: skip


async def _command(
    info: Info, raw_id: str, allowed: frozenset[Any], call: Callable[[UUID], Recorded]
) -> AppealPayload:
    require_role(info, allowed)
    appeal_id = appeal_uuid(raw_id, "appealId")
    ledger = _ledger(info)
    try:
        # Scope is checked on the aggregate, the source of truth, never on a lagging view.
        current = await off_loop(ledger.get_appeal, appeal_id)
        if not info.context.viewer.in_scope(current.body, current.department):
            raise ApiError("FORBIDDEN", "this appeal is outside your scope")
        recorded = await off_loop(call, appeal_id)
    except LedgerError as error:
        raise from_ledger(error) from None
    return await _payload(info, recorded)


def _ledger(info: Info) -> Any:
    return info.context.services.container.ledger


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a received message; a re-delivery changes nothing.")
    async def receive_appeal(self, info: Info, input: ReceiveAppealInput) -> AppealPayload:
        require_role(info, WRITERS)
        viewer = info.context.viewer
        if viewer.body is not None and viewer.body != input.body:
            raise ApiError("FORBIDDEN", "body is outside your scope")
        citizen = None
        if input.citizen is not None:
            citizen = Citizen(name=input.citizen.name, contact=input.citizen.contact,
                              address=input.citizen.address)  # fmt: skip
        try:
            recorded = await off_loop(
                _ledger(info).receive_appeal, channel=input.channel.value,
                external_id=input.external_id, text=input.text, body=input.body,
                citizen=citizen, citizen_ref=input.citizen.id if input.citizen else None,
                category=input.category, location=input.location, actor=viewer.actor,
                at=input.received_at,
            )  # fmt: skip
        except LedgerError as error:
            raise from_ledger(error) from None
        return await _payload(info, recorded)

    @strawberry.mutation
    async def register_appeal(self, info: Info, input: RegisterAppealInput) -> AppealPayload:
        return await _command(info, input.appeal_id, WRITERS, lambda appeal_id: _ledger(info)
                              .register_appeal(appeal_id, number=input.number,
                                               actor=info.context.viewer.actor, at=input.at,
                                               expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def categorize_appeal(self, info: Info, input: CategorizeAppealInput) -> AppealPayload:
        return await _command(info, input.appeal_id, WRITERS, lambda appeal_id: _ledger(info)
                              .categorize_appeal(appeal_id, category=input.category,
                                                 actor=info.context.viewer.actor, at=input.at,
                                                 expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def assign_appeal(self, info: Info, input: AssignAppealInput) -> AppealPayload:
        return await _command(info, input.appeal_id, ROUTERS, lambda appeal_id: _ledger(info)
                              .assign_appeal(appeal_id, department=input.department,
                                             assignee=input.assignee,
                                             actor=info.context.viewer.actor, at=input.at,
                                             expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def forward_appeal(self, info: Info, input: ForwardAppealInput) -> AppealPayload:
        return await _command(info, input.appeal_id, ROUTERS, lambda appeal_id: _ledger(info)
                              .forward_appeal(appeal_id, to_body=input.to_body,
                                              reason=input.reason,
                                              actor=info.context.viewer.actor, at=input.at,
                                              expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def extend_appeal_deadline(
        self, info: Info, input: ExtendAppealDeadlineInput
    ) -> AppealPayload:
        return await _command(info, input.appeal_id, ROUTERS, lambda appeal_id: _ledger(info)
                              .extend_appeal_deadline(appeal_id, days=input.days,
                                                      reason=input.reason,
                                                      actor=info.context.viewer.actor,
                                                      at=input.at,
                                                      expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def answer_appeal(self, info: Info, input: AnswerAppealInput) -> AppealPayload:
        return await _command(info, input.appeal_id, WRITERS, lambda appeal_id: _ledger(info)
                              .answer_appeal(appeal_id, text=input.text, final=input.final,
                                             public=input.public,
                                             actor=info.context.viewer.actor, at=input.at,
                                             expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def close_appeal(self, info: Info, input: CloseAppealInput) -> AppealPayload:
        duplicate = appeal_uuid(input.duplicate_of, "duplicateOf") if input.duplicate_of else None
        return await _command(info, input.appeal_id, WRITERS, lambda appeal_id: _ledger(info)
                              .close_appeal(appeal_id, outcome=input.outcome.value,
                                            duplicate_of=duplicate,
                                            actor=info.context.viewer.actor, at=input.at,
                                            expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def reopen_appeal(self, info: Info, input: ReopenAppealInput) -> AppealPayload:
        return await _command(info, input.appeal_id, WRITERS, lambda appeal_id: _ledger(info)
                              .reopen_appeal(appeal_id, reason=input.reason,
                                             actor=info.context.viewer.actor, at=input.at,
                                             expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation
    async def rate_appeal(self, info: Info, input: RateAppealInput) -> AppealPayload:
        return await _command(info, input.appeal_id, WRITERS, lambda appeal_id: _ledger(info)
                              .rate_appeal(appeal_id, score=input.score,
                                           actor=info.context.viewer.actor, at=input.at,
                                           expected_version=input.expected_version))  # fmt: skip

    @strawberry.mutation(description="Keep an internal note on an appeal (staff only).")
    async def add_appeal_note(self, info: Info, input: AddAppealNoteInput) -> AppealPayload:
        def call(appeal_id: UUID) -> Recorded:
            ledger: AppealsLedger = _ledger(info)
            return ledger.add_appeal_note(
                appeal_id,
                text=input.text,
                actor=info.context.viewer.actor,
                at=input.at,
                expected_version=input.expected_version,
            )

        return await _command(info, input.appeal_id, PERMISSIONS["addAppealNote"], call)

    @strawberry.mutation(
        description="Destroy a citizen's key (152-ФЗ); their data reads as erased."
    )
    async def erase_citizen_data(
        self, info: Info, input: EraseCitizenDataInput
    ) -> EraseCitizenDataPayload:
        require_role(info, ERASERS)
        services = info.context.services
        appeal_ids = await off_loop(services.read_models.appeal_ids_of_citizen, input.citizen_id)
        try:
            recorded = await off_loop(
                _ledger(info).erase_citizen_data, input.citizen_id, appeal_ids,
                legal_basis=input.legal_basis, actor=info.context.viewer.actor,
            )  # fmt: skip
        except LedgerError as error:
            raise from_ledger(error) from None
        payloads = [await _payload(info, r) for r in recorded]
        return EraseCitizenDataPayload(
            citizen_id=input.citizen_id, appeals=[p.appeal for p in payloads],
            positions=[r.position for r in recorded if r.position is not None],
        )  # fmt: skip
