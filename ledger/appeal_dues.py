"""An appeal's due dates, derived from its state with ``ledger.deadlines``, each explained.

``AppealDueDates`` is the derived half of ``ledger.domain.Appeal``: it only reads state.
"""

from __future__ import annotations

from datetime import datetime

from ledger import deadlines
from ledger.appeal_state import AppealState
from ledger.article11 import GROUNDS, NoAnswerGround
from ledger.calendar import ProductionCalendar
from ledger.clocks import AnswerClocks

__all__ = ["AppealDueDates"]


class AppealDueDates(AppealState):
    """Every due date that applies to an appeal, and the verdict on its first answer."""

    def due_dates(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> list[deadlines.DueDate]:
        """Every due date that applies to this appeal, each able to explain itself."""
        dues: list[deadlines.DueDate] = []
        first = deadlines.first_response_due(self.channel.value, self.received_at, norms, calendar)
        if first is not None:
            dues.append(first)
        registration = self._registration_due(norms, calendar)
        if registration is not None:
            dues.append(registration)
        if self.registered_at is not None:
            dues.append(
                deadlines.forwarding_due(
                    self.registered_at, norms, calendar, special_terms=self.special_terms
                )
            )
            if self.no_answer_ground is None:
                answer = self._clocks(self.last_at).answer_due(norms, calendar)
                if answer is not None:
                    dues.append(answer)
            else:
                notice = self._notice_due(self.registered_at, calendar)
                if notice is not None:
                    dues.append(notice)
        return dues

    def _notice_due(
        self, registered_at: datetime, calendar: ProductionCalendar
    ) -> deadlines.DueDate | None:
        # ст. 11: no answer is due any more; the notice is, where the ground sets a term.
        assert self.no_answer_ground is not None
        ground = GROUNDS[NoAnswerGround(self.no_answer_ground)]
        if ground.notice is None or ground.notice_days is None:
            return None
        return deadlines.notice_due(
            registered_at, ground.notice_days, ground.article, ground.notice, calendar
        )

    def first_answer_on_time(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> bool | None:
        """Whether the first final answer given under an answer due date beat that due date."""
        if self.first_judged is None:
            return None
        return self.first_judged.on_time(norms, calendar)

    def _clocks(self, at: datetime) -> AnswerClocks:
        return AnswerClocks(
            at,
            self.registered_at,
            self.extension_days,
            self.extended_at,
            self.extended_due_at,
            self.reopened_at,
            self.special_terms,
        )

    def _registration_due(
        self, norms: deadlines.Norms, calendar: ProductionCalendar
    ) -> deadlines.DueDate | None:
        if self.registration_from is None:
            return None
        counted_from, at = self.registration_from
        return deadlines.registration_due(at, norms, calendar, counted_from=counted_from)
