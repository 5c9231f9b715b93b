"""``Appeal.asOf``: an appeal's state folded from its own events up to a past instant."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql import enums
from ledger.domain import Appeal as Aggregate


@strawberry.type(description="An appeal's state as the ledger knew it at a past instant.")
class AppealSnapshot:
    version: int
    status: enums.Status
    channel: enums.Channel
    body: str
    category: str | None
    department: str | None
    assignee: str | None
    registration_number: str | None
    received_at: datetime
    registered_at: datetime | None
    first_response_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    outcome: enums.Outcome | None
    rating: int | None
    extension_days: int

    @classmethod
    def of(cls, appeal: Aggregate) -> AppealSnapshot:
        return cls(
            version=appeal.version,
            status=appeal.status,
            channel=appeal.channel,
            body=appeal.body,
            category=appeal.category,
            department=appeal.department,
            assignee=appeal.assignee,
            registration_number=appeal.registration_number,
            received_at=appeal.received_at,
            registered_at=appeal.registered_at,
            first_response_at=appeal.first_response_at,
            answered_at=appeal.answered_at,
            closed_at=appeal.closed_at,
            outcome=appeal.outcome,
            rating=appeal.rating,
            extension_days=appeal.extension_days,
        )
