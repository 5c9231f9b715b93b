"""The appeal commands as typed values: one table of what each command carries and does.

A command names its appeal, who issues it, when (``at``; see ``ledger.business_time`` for
which time counts and ``time_reason``), the version the caller expects, and its own fields.
``AppealsLedger.execute`` loads the appeal, lets the command apply itself, and saves; the
ledger's typed methods (``register_appeal`` …) and the GraphQL mutations build these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from ledger.article11 import NoAnswerGround
from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from ledger.domain import Appeal
from ledger.errors import ValidationError
from ledger.special_terms import SpecialTerm
from ledger.values import Actor, Outcome, clean_name, clean_text, parse_enum

__all__ = [
    "AddAppealNote",
    "AnswerAppeal",
    "AppealCommand",
    "AssignAppeal",
    "CategorizeAppeal",
    "CloseAppeal",
    "CommandContext",
    "ExtendAppealDeadline",
    "ForwardAppeal",
    "LeaveAppealWithoutAnswer",
    "RateAppeal",
    "RegisterAppeal",
    "ReopenAppeal",
    "SendAppealNotice",
    "When",
]


class When(NamedTuple):
    """The business time a command counts at, and why it was stated (``None``: the ledger's)."""

    at: datetime
    time_reason: str | None

    def of(self, actor: Actor) -> dict[str, Any]:
        """The who-and-when keywords of an appeal's command."""
        return {"actor": actor, "at": self.at, "time_reason": self.time_reason}


class CommandContext(Protocol):
    """What a command may ask of the ledger while it applies itself."""

    norms: Norms
    calendar: ProductionCalendar

    def seal_answer(self, appeal: Appeal, text: str) -> tuple[str, str | None]: ...

    def appeal_exists(self, appeal_id: UUID) -> bool: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AppealCommand:
    """What every command carries; subclasses add their fields and ``apply``.

    ``appeal_id`` comes first and may be given by position (``RegisterAppeal(appeal_id, …)``,
    as the ledger's methods take it); every other field is a keyword.
    """

    appeal_id: UUID = field(kw_only=False)
    actor: Actor
    at: datetime | None = None
    time_reason: str | None = None
    expected_version: int | None = None

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        """Check the command's input and issue it on ``appeal`` at ``when``."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterAppeal(AppealCommand):
    """Register a received appeal under its registration number."""

    number: str
    special_terms: tuple[str, ...] | None = None
    """The special terms it is registered under; ``None``: those of its category."""

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        if self.special_terms is None:
            terms = context.norms.special_terms_for(appeal.category)
        else:
            terms = frozenset(
                parse_enum(SpecialTerm, t, "specialTerms") for t in self.special_terms
            )
        appeal.register(
            number=clean_name(self.number, "number"), special_terms=terms, **when.of(self.actor)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CategorizeAppeal(AppealCommand):
    """Set the appeal's category."""

    category: str

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        category = clean_name(self.category, "category")
        appeal.categorize(category=category, **when.of(self.actor))


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignAppeal(AppealCommand):
    """Give the appeal to a department and an assignee."""

    department: str
    assignee: str

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        appeal.assign(
            department=clean_name(self.department, "department"),
            assignee=clean_name(self.assignee, "assignee"),
            **when.of(self.actor),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardAppeal(AppealCommand):
    """Forward the appeal to the competent body."""

    to_body: str
    reason: str

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        appeal.forward(
            to_body=clean_name(self.to_body, "toBody"),
            reason=clean_text(self.reason, "reason"),
            **when.of(self.actor),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendAppealDeadline(AppealCommand):
    """Extend the answer deadline once."""

    days: int
    reason: str

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        appeal.extend_deadline(
            days=self.days,
            reason=clean_text(self.reason, "reason"),
            **when.of(self.actor),
            norms=context.norms,
            calendar=context.calendar,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerAppeal(AppealCommand):
    """Answer the citizen, interim or final; the text is sealed like the appeal's."""

    text: str
    final: bool = True
    public: bool = False

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        text, text_key = context.seal_answer(appeal, clean_text(self.text, "text"))
        appeal.answer(
            text=text,
            text_key=text_key,
            final=self.final,
            public=self.public,
            **when.of(self.actor),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseAppeal(AppealCommand):
    """Close the appeal with an outcome; a duplicate must point to an existing appeal."""

    outcome: str
    duplicate_of: UUID | None = None

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        outcome = parse_enum(Outcome, self.outcome, "outcome")
        if self.duplicate_of is not None and not context.appeal_exists(self.duplicate_of):
            raise ValidationError(field="duplicateOf", reason="names no existing appeal")
        appeal.close(outcome=outcome, duplicate_of=self.duplicate_of, **when.of(self.actor))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReopenAppeal(AppealCommand):
    """Reopen a closed appeal."""

    reason: str

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        appeal.reopen(reason=clean_text(self.reason, "reason"), **when.of(self.actor))


@dataclass(frozen=True, slots=True, kw_only=True)
class RateAppeal(AppealCommand):
    """Record the citizen's rating of the answer."""

    score: int

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        appeal.rate(score=self.score, **when.of(self.actor))


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaveAppealWithoutAnswer(AppealCommand):
    """Leave the appeal without an answer on the merits under 59-ФЗ ст. 11."""

    ground: str
    reason: str
    to_body: str | None = None

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        appeal.leave_without_answer(
            ground=parse_enum(NoAnswerGround, self.ground, "ground"),
            reason=clean_text(self.reason, "reason"),
            to_body=clean_name(self.to_body, "toBody") if self.to_body is not None else None,
            **when.of(self.actor),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SendAppealNotice(AppealCommand):
    """Record the notice ст. 11 owes the citizen; ``reference`` names the outgoing letter."""

    reference: str

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        appeal.send_notice(reference=clean_name(self.reference, "reference"), **when.of(self.actor))


@dataclass(frozen=True, slots=True, kw_only=True)
class AddAppealNote(AppealCommand):
    """Keep an internal note for staff; sealed like an answer, since it may name the citizen."""

    text: str

    def apply(self, appeal: Appeal, when: When, context: CommandContext) -> None:
        text, text_key = context.seal_answer(appeal, clean_text(self.text, "text"))
        appeal.add_note(text=text, text_key=text_key, **when.of(self.actor))
