"""Mutations: one per ledger command, each with one ``input`` and a read-your-writes payload.

A command's input builds its typed command of ``ledger.commands`` (``command_inputs``);
``execute`` runs it through ``AppealsLedger.execute`` with the scope check on the aggregate,
and ``payload`` waits until the views show its effect.
"""

from __future__ import annotations

from typing import Any

import strawberry

from api.graphql.access import require_role
from api.graphql.command_inputs import (
    AddAppealNoteInput,
    AnswerAppealInput,
    AssignAppealInput,
    CategorizeAppealInput,
    CloseAppealInput,
    CommandInput,
    ExtendAppealDeadlineInput,
    ForwardAppealInput,
    LeaveAppealWithoutAnswerInput,
    RateAppealInput,
    ReceiveAppealInput,
    RegisterAppealInput,
    ReopenAppealInput,
    SendAppealNoticeInput,
)
from api.graphql.context import off_loop, primary_rows
from api.graphql.errors import ApiError, from_ledger
from api.graphql.ids import appeal_uuid
from api.graphql.types import Appeal, Info
from api.http.viewer import ERASERS, PERMISSIONS, ROUTERS, WRITERS
from api.runtime.basis import READ_YOUR_WRITES_TIMEOUT
from ledger.application import AppealsLedger, Recorded
from ledger.domain import Appeal as AppealAggregate
from ledger.errors import LedgerError
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
        row = (await primary_rows(services, [recorded.appeal_id])).get(recorded.appeal_id)
    if row is None:
        raise ApiError(
            "UNAVAILABLE",
            "the views are behind; the command was recorded",
            position=recorded.position,
        )
    return AppealPayload(
        appeal=Appeal.of(row), position=recorded.position, created=recorded.created
    )


async def execute(info: Info, allowed: frozenset[Any], input: CommandInput) -> AppealPayload:
    """Run the command ``input`` asks for, if the caller holds one of the ``allowed`` roles."""
    require_role(info, allowed)
    viewer = info.context.viewer
    command = input.command(appeal_uuid(input.appeal_id, "appealId"), viewer.actor)

    def in_scope(current: AppealAggregate) -> None:
        # Scope is checked on the aggregate, the source of truth, never on a lagging view.
        if not viewer.in_scope(current.body, current.department):
            raise ApiError("FORBIDDEN", "this appeal is outside your scope")

    try:
        recorded = await off_loop(ledger_of(info).execute, command, check=in_scope)
    except LedgerError as error:
        raise from_ledger(error) from None
    return await payload(info, recorded)


def command(input_type: type, allowed: frozenset[Any], description: str | None = None) -> Any:
    """The mutation that runs the command an ``input_type`` asks for, for the ``allowed`` roles."""

    async def resolve(info: Info, input: CommandInput) -> AppealPayload:
        return await execute(info, allowed, input)

    # The argument's GraphQL type is the one input type of this mutation.
    resolve.__annotations__ = {**resolve.__annotations__, "input": input_type}
    return strawberry.mutation(resolver=resolve, description=description)


def ledger_of(info: Info) -> AppealsLedger:
    """The write side this request's commands are executed on."""
    ledger: AppealsLedger = info.context.services.container.ledger
    return ledger


@strawberry.input
class EraseCitizenDataInput:
    citizen_id: str
    legal_basis: str = strawberry.field(description="e.g. 152-ФЗ ст. 21 ч. 4")


@strawberry.type(description="The citizen's key is destroyed; their appeals record the erasure.")
class EraseCitizenDataPayload:
    citizen_id: str
    appeals: list[Appeal]
    positions: list[int]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a received message; a re-delivery changes nothing.")
    async def receive_appeal(self, info: Info, input: ReceiveAppealInput) -> AppealPayload:
        require_role(info, WRITERS)
        viewer = info.context.viewer
        if viewer.body is not None and viewer.body != input.body:
            raise ApiError("FORBIDDEN", "body is outside your scope")
        try:
            intake = input.intake(viewer.actor)
            recorded = await off_loop(ledger_of(info).receive_appeal, **intake)
        except LedgerError as error:
            raise from_ledger(error) from None
        return await payload(info, recorded)

    register_appeal = command(RegisterAppealInput, WRITERS)
    categorize_appeal = command(CategorizeAppealInput, WRITERS)
    assign_appeal = command(AssignAppealInput, ROUTERS)
    forward_appeal = command(ForwardAppealInput, ROUTERS)
    extend_appeal_deadline = command(ExtendAppealDeadlineInput, ROUTERS)
    answer_appeal = command(AnswerAppealInput, WRITERS)
    close_appeal = command(CloseAppealInput, WRITERS)
    reopen_appeal = command(ReopenAppealInput, WRITERS)
    rate_appeal = command(RateAppealInput, WRITERS)
    leave_appeal_without_answer = command(
        LeaveAppealWithoutAnswerInput,
        ROUTERS,
        description="Leave an appeal without an answer (59-ФЗ ст. 11).",
    )
    send_appeal_notice = command(
        SendAppealNoticeInput,
        WRITERS,
        description="Record the notice 59-ФЗ ст. 11 owes the citizen.",
    )
    add_appeal_note = command(
        AddAppealNoteInput,
        PERMISSIONS["addAppealNote"],
        description="Keep an internal note on an appeal (staff only).",
    )

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
                ledger_of(info).erase_citizen_data,
                input.citizen_id,
                appeal_ids,
                legal_basis=input.legal_basis,
                actor=info.context.viewer.actor,
            )
        except LedgerError as error:
            raise from_ledger(error) from None
        payloads = [await payload(info, r) for r in recorded]
        return EraseCitizenDataPayload(
            citizen_id=input.citizen_id,
            appeals=[p.appeal for p in payloads],
            positions=[r.position for r in recorded if r.position is not None],
        )
