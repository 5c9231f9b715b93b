"""The inputs of the appeal commands: each names the appeal, its fields, ``at`` and a version.

``at`` is the business time the caller states (default now); ``expectedVersion`` makes the
command refused with CONFLICT when the appeal changed since the caller read it.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql import enums


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


@strawberry.input
class RateAppealInput:
    appeal_id: strawberry.ID
    score: int
    expected_version: int | None = None
    at: datetime | None = None


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


@strawberry.input(description="The notice 59-ФЗ ст. 11 owes the citizen was sent.")
class SendAppealNoticeInput:
    appeal_id: strawberry.ID
    reference: str = strawberry.field(description="The outgoing letter's number.")
    expected_version: int | None = None
    at: datetime | None = None


@strawberry.input(description="An internal note: staff only, never shown to the citizen.")
class AddAppealNoteInput:
    appeal_id: strawberry.ID
    text: str
    expected_version: int | None = None
    at: datetime | None = None


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
