"""The inputs of the appeal commands: each names the appeal, its fields, ``at`` and a version.

``at`` is the business time the caller states (default now); ``expectedVersion`` makes the
command refused with CONFLICT when the appeal changed since the caller read it. Each input
builds its typed command of ``ledger.commands`` (``command``), which the mutation executes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import strawberry

from api.graphql import enums
from api.graphql.ids import appeal_uuid
from ledger.commands import (
    AddAppealNote,
    AnswerAppeal,
    AppealCommand,
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
from ledger.intake import Intake
from ledger.privacy import Citizen
from ledger.values import Actor


class CommandInput(Protocol):
    """An appeal command's input: the appeal's raw id, and the typed command it asks for."""

    appeal_id: strawberry.ID

    def command(self, appeal_id: UUID, actor: Actor) -> AppealCommand: ...


def _common(given: Any, appeal_id: UUID, actor: Actor) -> dict[str, Any]:
    # What every command carries besides its own fields.
    return {
        "appeal_id": appeal_id,
        "actor": actor,
        "at": given.at,
        "expected_version": given.expected_version,
    }


@strawberry.input
class RegisterAppealInput:
    appeal_id: strawberry.ID
    number: str
    special_terms: list[enums.SpecialTerm] | None = strawberry.field(
        default=None,
        description="The special terms of 59-ФЗ it is registered under (an explicit legal "
        "basis); null: those the settings give its category (APPEALS_SPECIAL_TERMS).",
    )
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> RegisterAppeal:
        terms = self.special_terms
        return RegisterAppeal(
            **_common(self, appeal_id, actor),
            number=self.number,
            special_terms=None if terms is None else tuple(term.value for term in terms),
        )


@strawberry.input
class CategorizeAppealInput:
    appeal_id: strawberry.ID
    category: str
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> CategorizeAppeal:
        return CategorizeAppeal(**_common(self, appeal_id, actor), category=self.category)


@strawberry.input
class AssignAppealInput:
    appeal_id: strawberry.ID
    department: str
    assignee: str
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> AssignAppeal:
        return AssignAppeal(
            **_common(self, appeal_id, actor), department=self.department, assignee=self.assignee
        )


@strawberry.input
class ForwardAppealInput:
    appeal_id: strawberry.ID
    to_body: str
    reason: str
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> ForwardAppeal:
        return ForwardAppeal(
            **_common(self, appeal_id, actor), to_body=self.to_body, reason=self.reason
        )


@strawberry.input
class ExtendAppealDeadlineInput:
    appeal_id: strawberry.ID
    days: int
    reason: str
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> ExtendAppealDeadline:
        return ExtendAppealDeadline(
            **_common(self, appeal_id, actor), days=self.days, reason=self.reason
        )


@strawberry.input
class AnswerAppealInput:
    appeal_id: strawberry.ID
    text: str
    final: bool = True
    public: bool = False
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> AnswerAppeal:
        return AnswerAppeal(
            **_common(self, appeal_id, actor),
            text=self.text,
            final=self.final,
            public=self.public,
        )


@strawberry.input
class CloseAppealInput:
    appeal_id: strawberry.ID
    outcome: enums.Outcome
    duplicate_of: strawberry.ID | None = None
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> CloseAppeal:
        duplicate = appeal_uuid(self.duplicate_of, "duplicateOf") if self.duplicate_of else None
        return CloseAppeal(
            **_common(self, appeal_id, actor),
            outcome=self.outcome.value,
            duplicate_of=duplicate,
        )


@strawberry.input
class ReopenAppealInput:
    appeal_id: strawberry.ID
    reason: str
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> ReopenAppeal:
        return ReopenAppeal(**_common(self, appeal_id, actor), reason=self.reason)


@strawberry.input
class RateAppealInput:
    appeal_id: strawberry.ID
    score: int
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> RateAppeal:
        return RateAppeal(**_common(self, appeal_id, actor), score=self.score)


@strawberry.input(description="Leave an appeal without an answer on the merits (59-ФЗ ст. 11).")
class LeaveAppealWithoutAnswerInput:
    appeal_id: strawberry.ID
    ground: enums.NoAnswerGround
    reason: str
    to_body: str | None = strawberry.field(
        default=None,
        description="CRIME_REPORT only: the state body the anonymous report is sent to (ч. 1).",
    )
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> LeaveAppealWithoutAnswer:
        return LeaveAppealWithoutAnswer(
            **_common(self, appeal_id, actor),
            ground=self.ground.value,
            reason=self.reason,
            to_body=self.to_body,
        )


@strawberry.input(description="The notice 59-ФЗ ст. 11 owes the citizen was sent.")
class SendAppealNoticeInput:
    appeal_id: strawberry.ID
    reference: str = strawberry.field(description="The outgoing letter's number.")
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> SendAppealNotice:
        return SendAppealNotice(**_common(self, appeal_id, actor), reference=self.reference)


@strawberry.input(description="An internal note: staff only, never shown to the citizen.")
class AddAppealNoteInput:
    appeal_id: strawberry.ID
    text: str
    expected_version: int | None = None
    at: datetime | None = None

    def command(self, appeal_id: UUID, actor: Actor) -> AddAppealNote:
        return AddAppealNote(**_common(self, appeal_id, actor), text=self.text)


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

    def intake(self, actor: Actor) -> Intake:
        """The message as ``AppealsLedger.receive_appeal`` takes it."""
        citizen = self.citizen
        return {
            "channel": self.channel.value,
            "external_id": self.external_id,
            "text": self.text,
            "body": self.body,
            "citizen": None
            if citizen is None
            else Citizen(name=citizen.name, contact=citizen.contact, address=citizen.address),
            "citizen_ref": citizen.id if citizen else None,
            "category": self.category,
            "location": self.location,
            "actor": actor,
            "at": self.received_at,
        }
