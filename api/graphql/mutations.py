"""Mutations: one per ledger command, each with one ``input`` and a read-your-writes payload."""

from __future__ import annotations

import strawberry

from api.graphql.access import require_role
from api.graphql.command_flow import AppealPayload, caller, execute, ledger_of, payload
from api.graphql.command_inputs import (
    AddAppealNoteInput,
    AnswerAppealInput,
    AssignAppealInput,
    CategorizeAppealInput,
    CloseAppealInput,
    ExtendAppealDeadlineInput,
    ForwardAppealInput,
    LeaveAppealWithoutAnswerInput,
    RateAppealInput,
    ReceiveAppealInput,
    RegisterAppealInput,
    ReopenAppealInput,
    SendAppealNoticeInput,
)
from api.graphql.context import off_loop
from api.graphql.errors import ApiError, from_ledger
from api.graphql.ids import appeal_uuid
from api.graphql.types import Appeal, Info
from api.http.viewer import ERASERS, PERMISSIONS, ROUTERS, WRITERS
from ledger.commands import (
    AddAppealNote,
    AnswerAppeal,
    AssignAppeal,
    CategorizeAppeal,
    CloseAppeal,
    ExtendAppealDeadline,
    ForwardAppeal,
    LeaveAppealWithoutAnswer,
    RateAppeal,
    RegisterAppeal,
    ReopenAppeal,
    SendAppealNotice,
)
from ledger.errors import LedgerError
from ledger.privacy import Citizen


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
        citizen = None
        if input.citizen is not None:
            citizen = Citizen(
                name=input.citizen.name,
                contact=input.citizen.contact,
                address=input.citizen.address,
            )
        try:
            recorded = await off_loop(
                ledger_of(info).receive_appeal,
                channel=input.channel.value,
                external_id=input.external_id,
                text=input.text,
                body=input.body,
                citizen=citizen,
                citizen_ref=input.citizen.id if input.citizen else None,
                category=input.category,
                location=input.location,
                actor=viewer.actor,
                at=input.received_at,
            )
        except LedgerError as error:
            raise from_ledger(error) from None
        return await payload(info, recorded)

    @strawberry.mutation
    async def register_appeal(self, info: Info, input: RegisterAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, WRITERS, input.appeal_id)
        return await execute(
            info,
            RegisterAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                number=input.number,
                special_terms=None
                if input.special_terms is None
                else tuple(term.value for term in input.special_terms),
            ),
        )

    @strawberry.mutation
    async def categorize_appeal(self, info: Info, input: CategorizeAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, WRITERS, input.appeal_id)
        return await execute(
            info,
            CategorizeAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                category=input.category,
            ),
        )

    @strawberry.mutation
    async def assign_appeal(self, info: Info, input: AssignAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, ROUTERS, input.appeal_id)
        return await execute(
            info,
            AssignAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                department=input.department,
                assignee=input.assignee,
            ),
        )

    @strawberry.mutation
    async def forward_appeal(self, info: Info, input: ForwardAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, ROUTERS, input.appeal_id)
        return await execute(
            info,
            ForwardAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                to_body=input.to_body,
                reason=input.reason,
            ),
        )

    @strawberry.mutation
    async def extend_appeal_deadline(
        self, info: Info, input: ExtendAppealDeadlineInput
    ) -> AppealPayload:
        appeal_id, actor = caller(info, ROUTERS, input.appeal_id)
        return await execute(
            info,
            ExtendAppealDeadline(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                days=input.days,
                reason=input.reason,
            ),
        )

    @strawberry.mutation
    async def answer_appeal(self, info: Info, input: AnswerAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, WRITERS, input.appeal_id)
        return await execute(
            info,
            AnswerAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                text=input.text,
                final=input.final,
                public=input.public,
            ),
        )

    @strawberry.mutation
    async def close_appeal(self, info: Info, input: CloseAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, WRITERS, input.appeal_id)
        duplicate = appeal_uuid(input.duplicate_of, "duplicateOf") if input.duplicate_of else None
        return await execute(
            info,
            CloseAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                outcome=input.outcome.value,
                duplicate_of=duplicate,
            ),
        )

    @strawberry.mutation
    async def reopen_appeal(self, info: Info, input: ReopenAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, WRITERS, input.appeal_id)
        return await execute(
            info,
            ReopenAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                reason=input.reason,
            ),
        )

    @strawberry.mutation
    async def rate_appeal(self, info: Info, input: RateAppealInput) -> AppealPayload:
        appeal_id, actor = caller(info, WRITERS, input.appeal_id)
        return await execute(
            info,
            RateAppeal(
                appeal_id=appeal_id,
                actor=actor,
                at=input.at,
                expected_version=input.expected_version,
                score=input.score,
            ),
        )

    @strawberry.mutation(description="Leave an appeal without an answer (59-ФЗ ст. 11).")
    async def leave_appeal_without_answer(
        self, info: Info, input: LeaveAppealWithoutAnswerInput
    ) -> AppealPayload:
        appeal_id, actor = caller(info, ROUTERS, input.appeal_id)
        command = LeaveAppealWithoutAnswer(
            appeal_id=appeal_id,
            actor=actor,
            at=input.at,
            expected_version=input.expected_version,
            ground=input.ground.value,
            reason=input.reason,
            to_body=input.to_body,
        )
        return await execute(info, command)

    @strawberry.mutation(description="Record the notice 59-ФЗ ст. 11 owes the citizen.")
    async def send_appeal_notice(self, info: Info, input: SendAppealNoticeInput) -> AppealPayload:
        appeal_id, actor = caller(info, WRITERS, input.appeal_id)
        command = SendAppealNotice(
            appeal_id=appeal_id,
            actor=actor,
            at=input.at,
            expected_version=input.expected_version,
            reference=input.reference,
        )
        return await execute(info, command)

    @strawberry.mutation(description="Keep an internal note on an appeal (staff only).")
    async def add_appeal_note(self, info: Info, input: AddAppealNoteInput) -> AppealPayload:
        appeal_id, actor = caller(info, PERMISSIONS["addAppealNote"], input.appeal_id)
        command = AddAppealNote(
            appeal_id=appeal_id,
            actor=actor,
            at=input.at,
            expected_version=input.expected_version,
            text=input.text,
        )
        return await execute(info, command)

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
