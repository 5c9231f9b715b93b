"""The ledger's typed command methods: one per command of ``ledger.commands``, each one line.

Every method takes the appeal id, its command's fields, the ``actor``, the business time
``at`` with an optional ``time_reason`` (see ``ledger.business_time``) and the
``expected_version`` for optimistic concurrency, and returns what was recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.commands import (
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
from ledger.records import Recorded
from ledger.values import Actor

__all__ = ["CommandMethods"]


class CommandMethods:
    """The typed command half of ``AppealsLedger``."""

    if TYPE_CHECKING:

        def execute(self, command: AppealCommand) -> Recorded: ...

    def register_appeal(
        self,
        appeal_id: UUID,
        *,
        number: str,
        special_terms: tuple[str, ...] | None = None,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Register a received appeal under its registration number."""
        return self.execute(
            RegisterAppeal(
                appeal_id=appeal_id,
                number=number,
                special_terms=special_terms,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def categorize_appeal(
        self,
        appeal_id: UUID,
        *,
        category: str,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Set the appeal's category."""
        return self.execute(
            CategorizeAppeal(
                appeal_id=appeal_id,
                category=category,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def assign_appeal(
        self,
        appeal_id: UUID,
        *,
        department: str,
        assignee: str,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Give the appeal to a department and an assignee."""
        return self.execute(
            AssignAppeal(
                appeal_id=appeal_id,
                department=department,
                assignee=assignee,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def forward_appeal(
        self,
        appeal_id: UUID,
        *,
        to_body: str,
        reason: str,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Forward the appeal to the competent body."""
        return self.execute(
            ForwardAppeal(
                appeal_id=appeal_id,
                to_body=to_body,
                reason=reason,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def extend_appeal_deadline(
        self,
        appeal_id: UUID,
        *,
        days: int,
        reason: str,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Extend the answer deadline once."""
        return self.execute(
            ExtendAppealDeadline(
                appeal_id=appeal_id,
                days=days,
                reason=reason,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def answer_appeal(
        self,
        appeal_id: UUID,
        *,
        text: str,
        final: bool = True,
        public: bool = False,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Answer the citizen, interim or final; the text is sealed like the appeal's."""
        return self.execute(
            AnswerAppeal(
                appeal_id=appeal_id,
                text=text,
                final=final,
                public=public,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def close_appeal(
        self,
        appeal_id: UUID,
        *,
        outcome: str,
        duplicate_of: UUID | None = None,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Close the appeal with an outcome; a duplicate must point to an existing appeal."""
        return self.execute(
            CloseAppeal(
                appeal_id=appeal_id,
                outcome=outcome,
                duplicate_of=duplicate_of,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def reopen_appeal(
        self,
        appeal_id: UUID,
        *,
        reason: str,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Reopen a closed appeal."""
        return self.execute(
            ReopenAppeal(
                appeal_id=appeal_id,
                reason=reason,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def rate_appeal(
        self,
        appeal_id: UUID,
        *,
        score: int,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record the citizen's rating of the answer."""
        return self.execute(
            RateAppeal(
                appeal_id=appeal_id,
                score=score,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def leave_appeal_without_answer(
        self,
        appeal_id: UUID,
        *,
        ground: str,
        reason: str,
        to_body: str | None = None,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Leave the appeal without an answer on the merits under 59-ФЗ ст. 11."""
        return self.execute(
            LeaveAppealWithoutAnswer(
                appeal_id=appeal_id,
                ground=ground,
                reason=reason,
                to_body=to_body,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )

    def send_appeal_notice(
        self,
        appeal_id: UUID,
        *,
        reference: str,
        actor: Actor,
        at: datetime | None = None,
        time_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record the notice ст. 11 owes the citizen."""
        return self.execute(
            SendAppealNotice(
                appeal_id=appeal_id,
                reference=reference,
                actor=actor,
                at=at,
                time_reason=time_reason,
                expected_version=expected_version,
            )
        )
