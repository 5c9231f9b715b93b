"""The appeal's commands: each checks its rule, then calls the aggregate's private mutator.

``AppealCommands`` is the command half of ``ledger.domain.Appeal`` (a mixin, so each half
stays one concept): the rules live here and in ``ledger.lifecycle``; the ``@event``
mutators that only change the state are bound in ``ledger.domain``, their bodies in
``ledger.mutators``. Due dates are derived here from the state with ``ledger.deadlines``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn
from uuid import UUID

from ledger import deadlines
from ledger.appeal_dues import AppealDueDates
from ledger.calendar import ProductionCalendar
from ledger.errors import ExtensionRefusedError, InvalidTransitionError, ValidationError
from ledger.events import who
from ledger.lifecycle import (
    ALLOWED,
    close_allowed_from,
    require_in_order,
    require_status,
)
from ledger.special_terms import SpecialTerm
from ledger.values import Actor, Outcome, Status, require_int_range

__all__ = ["AppealCommands"]


class AppealCommands(AppealDueDates):
    """The commands of an appeal and the due dates derived from its state."""

    if TYPE_CHECKING:
        # The ``@event`` mutators of ``Appeal``: they take a command's fields and ``_who``'s.
        _register: Callable[..., None]
        _categorize: Callable[..., None]
        _assign: Callable[..., None]
        _forward: Callable[..., None]
        _extend: Callable[..., None]
        _answer: Callable[..., None]
        _close: Callable[..., None]
        _reopen: Callable[..., None]
        _rate: Callable[..., None]
        _erase: Callable[..., None]
        _add_note: Callable[..., None]

    # --- commands: check the rule, then record ---------------------------------------

    def register(
        self,
        *,
        number: str,
        actor: Actor,
        at: datetime,
        special_terms: Iterable[SpecialTerm] = (),
        time_reason: str | None = None,
    ) -> None:
        """Register the appeal under its number, and the special terms its clocks run on."""
        self._check("register", at)
        if self.registered_at is not None:
            raise InvalidTransitionError(
                appeal_id=self.id,
                status=self.status.value,
                action="register",
                reason="already_registered",
            )
        self._register(
            number=number,
            special_terms=sorted({term.value for term in special_terms}),
            **who(actor, at, time_reason),
        )

    def categorize(
        self, *, category: str, actor: Actor, at: datetime, time_reason: str | None = None
    ) -> None:
        """Set or change the appeal's category."""
        self._check("categorize", at)
        self._categorize(category=category, **who(actor, at, time_reason))

    def assign(
        self,
        *,
        department: str,
        assignee: str,
        actor: Actor,
        at: datetime,
        time_reason: str | None = None,
    ) -> None:
        """Give the appeal to a department and an assignee, or reassign it."""
        self._check("assign", at)
        self._assign(department=department, assignee=assignee, **who(actor, at, time_reason))

    def forward(
        self,
        *,
        to_body: str,
        reason: str,
        actor: Actor,
        at: datetime,
        time_reason: str | None = None,
    ) -> None:
        """Send the appeal to the competent body."""
        self._check("forward", at)
        if to_body == self.body:
            raise ValidationError(field="toBody", reason="is already the appeal's body")
        self._forward(to_body=to_body, reason=reason, **who(actor, at, time_reason))

    def extend_deadline(
        self,
        *,
        days: int,
        reason: str,
        actor: Actor,
        at: datetime,
        norms: deadlines.Norms,
        calendar: ProductionCalendar,
        time_reason: str | None = None,
    ) -> None:
        """Extend the answer deadline once, by 1 to ``norms.max_extension_days`` days."""
        self._check("extend_deadline", at)
        require_int_range(days, "days", 1, norms.max_extension_days)
        refusal = self._clocks(at).extension_refusal(norms, calendar)
        if refusal:
            raise ExtensionRefusedError(
                appeal_id=self.id,
                status=self.status.value,
                action="extend_deadline",
                reason=refusal,
            )
        assert self.registered_at is not None
        new_due = deadlines.answer_due(
            self.registered_at, days, at, norms, calendar, special_terms=self.special_terms
        )
        self._extend(
            days=days, new_due_at=new_due.due_at, reason=reason, **who(actor, at, time_reason)
        )

    def answer(
        self,
        *,
        text: str,
        final: bool,
        public: bool,
        actor: Actor,
        at: datetime,
        text_key: str | None = None,
        time_reason: str | None = None,
    ) -> None:
        """Answer the citizen; a final answer moves the appeal to ANSWERED.

        ``text`` is sealed under ``text_key`` by the application (``None``: in clear).
        """
        self._check("answer", at)
        if self.no_answer_ground is not None:
            self._refuse("answer", "left_without_answer")
        self._answer(
            text=text, final=final, public=public, text_key=text_key, **who(actor, at, time_reason)
        )

    def close(
        self,
        *,
        outcome: Outcome,
        duplicate_of: UUID | None,
        actor: Actor,
        at: datetime,
        time_reason: str | None = None,
    ) -> None:
        """Close the appeal with an outcome; resolved/explained need a final answer first."""
        hint = {"reason": "forward_it_instead"} if outcome is Outcome.NOT_COMPETENT else {}
        require_status(
            self.id,
            self.status,
            "close",
            close_allowed_from(outcome),
            outcome=outcome.value,
            **hint,
        )
        require_in_order(at, self.last_at, self.last_event)
        if (
            outcome is not Outcome.NOT_COMPETENT
            and self.status is not Status.ANSWERED
            and self.formal
            and self.registered_at is None
        ):
            # ст. 8 ч. 2: a formal appeal is registered before anything is decided about it.
            raise InvalidTransitionError(
                appeal_id=self.id,
                status=self.status.value,
                action="close",
                outcome=outcome.value,
                reason="not_registered",
            )
        if self.no_answer_ground is not None and (
            outcome is not Outcome.NO_ANSWER_REQUIRED or self.notice_pending()
        ):
            # ст. 11: a decision to leave it without answer ends with its notice, if one is owed.
            reason = "notice_not_sent" if self.notice_pending() else "left_without_answer"
            self._refuse("close", reason, outcome=outcome.value)
        if (outcome is Outcome.DUPLICATE) != (duplicate_of is not None):
            raise ValidationError(
                field="duplicateOf", reason="is required exactly when the outcome is duplicate"
            )
        if duplicate_of == self.id:
            raise ValidationError(field="duplicateOf", reason="must be another appeal")
        self._close(outcome=outcome.value, duplicate_of=duplicate_of, **who(actor, at, time_reason))

    def reopen(
        self, *, reason: str, actor: Actor, at: datetime, time_reason: str | None = None
    ) -> None:
        """Return a closed appeal to work."""
        self._check("reopen", at)
        self._reopen(reason=reason, **who(actor, at, time_reason))

    def rate(
        self, *, score: int, actor: Actor, at: datetime, time_reason: str | None = None
    ) -> None:
        """Record the citizen's rating of the answer."""
        self._check("rate", at)
        if self.answered_at is None:
            raise InvalidTransitionError(
                appeal_id=self.id, status=self.status.value, action="rate", reason="no_answer"
            )
        require_int_range(score, "score", 1, 5)
        self._rate(score=score, **who(actor, at, time_reason))

    def erase_personal_data(
        self, *, legal_basis: str, actor: Actor, at: datetime, time_reason: str | None = None
    ) -> None:
        """Record that the citizen's data was destroyed (the key is shredded elsewhere)."""
        self._check("erase_personal_data", at)
        if self.erased:
            raise InvalidTransitionError(
                appeal_id=self.id,
                status=self.status.value,
                action="erase_personal_data",
                reason="already_erased",
            )
        self._erase(legal_basis=legal_basis, **who(actor, at, time_reason))

    def add_note(
        self,
        *,
        text: str,
        text_key: str | None,
        actor: Actor,
        at: datetime,
        time_reason: str | None = None,
    ) -> None:
        """Keep an internal note, in any status (``text`` sealed under ``text_key`` if set).

        A note is not a step of the procedure: it never moves a clock, and a note dated
        before the appeal's last event is refused like any other command.
        """
        self._check("add_note", at)
        self._add_note(text=text, text_key=text_key, **who(actor, at, time_reason))

    # --- rules ----------------------------------------------------------------------

    def _refuse(self, action: str, reason: str, **context: Any) -> NoReturn:
        raise InvalidTransitionError(
            appeal_id=self.id, status=self.status.value, action=action, reason=reason, **context
        )

    def _check(self, action: str, at: datetime) -> None:
        require_status(self.id, self.status, action, ALLOWED[action])
        require_in_order(at, self.last_at, self.last_event)
