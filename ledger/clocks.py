"""What an appeal's answer due date rests on at one moment, and the verdict it gives.

The aggregate keeps one ``AnswerClocks`` for "now" and freezes another when the first final
answer is given (ст. 12 ч. 1), so a reopen and a re-answer never rewrite that verdict. The
arithmetic itself is ``ledger.deadlines``'.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ledger import deadlines
from ledger.calendar import ProductionCalendar

__all__ = ["AnswerClocks"]


@dataclass(frozen=True, slots=True)
class AnswerClocks:
    """The facts the answer due date is computed from, as of ``at``."""

    at: datetime
    registered_at: datetime | None
    extension_days: int
    extended_at: datetime | None
    extended_due_at: datetime | None
    reopened_at: datetime | None
    special_terms: tuple[str, ...] = ()

    def answer_due(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> deadlines.DueDate | None:
        """The answer due date, or ``None`` while the appeal is not registered."""
        if self.registered_at is None:
            return None
        if self.reopened_at is not None and self.reopened_at > self.registered_at:
            return deadlines.reopened_answer_due(self.reopened_at, norms, calendar)
        answer = deadlines.answer_due(
            self.registered_at,
            self.extension_days,
            self.extended_at,
            norms,
            calendar,
            special_terms=self.special_terms,
        )
        if self.extended_due_at is not None:
            # The recorded due date wins: a later change of norms must not move it.
            answer = replace(answer, due_at=self.extended_due_at)
        return answer

    def on_time(self, norms: deadlines.Norms, calendar: ProductionCalendar) -> bool:
        """Whether an answer given at ``at`` beat the answer due date."""
        due = self.answer_due(norms, calendar)
        return due is not None and self.at < due.due_at

    def extension_refusal(self, norms: deadlines.Norms, calendar: ProductionCalendar) -> str | None:
        """Why the answer deadline cannot be extended at ``at`` (ст. 12 ч. 2), or ``None``."""
        if self.registered_at is None:
            return "not_registered"
        if self.extension_days:
            return "already_extended"
        if self.reopened_at is not None:
            return "reopened"
        due = deadlines.answer_due(
            self.registered_at, 0, None, norms, calendar, special_terms=self.special_terms
        )
        if self.at >= due.due_at:
            return "deadline_passed"
        return None
