"""59-ФЗ ст. 11: appeals left without an answer on the merits, and the notices owed for them.

=====================  =========  ======================================  =================
ground                 article    what the office does                    notice due
=====================  =========  ======================================  =================
anonymous              ч. 1       no answer (no name or address)          none
crime_report           ч. 1       no answer; an anonymous report of a     none
                                  crime is sent to the competent state
                                  body (``to_body``)
court_decision         ч. 2       returned with how to appeal against     7 days of
                                  the court decision                      registration
abusive                ч. 3       no answer on the merits; notice that    no term set
                                  abuse of the right is inadmissible
unreadable             ч. 4       no answer, not forwarded; notice if     7 days of
                                  the name and address can be read        registration
unclear                ч. 4.1     no answer; notice that the substance    7 days of
                                  cannot be understood                    registration
correspondence_ended   ч. 5       correspondence on a repeated question   no term set
                                  ends; notice of the decision
=====================  =========  ======================================  =================

The decision (``leave_without_answer``) is taken on a registered, open appeal that has no
final answer; from then on no answer is due, and the notice is (``DueKind.NOTICE`` in
``ledger.deadlines``). An appeal whose ground owes a notice is closed (``no_answer_required``)
only once the notice was sent (``send_notice``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from ledger.appeal_state import AppealState
from ledger.errors import InvalidTransitionError, ValidationError
from ledger.events import who
from ledger.lifecycle import OPEN, require_in_order, require_status
from ledger.values import Actor

__all__ = ["GROUNDS", "Article11Commands", "Ground", "NoAnswerGround"]


class NoAnswerGround(StrEnum):
    """Why an appeal is left without an answer on the merits (59-ФЗ ст. 11)."""

    ANONYMOUS = "anonymous"
    CRIME_REPORT = "crime_report"
    COURT_DECISION = "court_decision"
    ABUSIVE = "abusive"
    UNREADABLE = "unreadable"
    UNCLEAR = "unclear"
    CORRESPONDENCE_ENDED = "correspondence_ended"


@dataclass(frozen=True, slots=True)
class Ground:
    """One row of the table above."""

    article: str
    notice: str | None
    """What the citizen is told, or ``None`` when no notice is owed."""
    notice_days: int | None
    """The notice's term in calendar days from registration; ``None``: no term set."""
    anonymous_only: bool = False
    forwards: bool = False


GROUNDS: dict[NoAnswerGround, Ground] = {
    NoAnswerGround.ANONYMOUS: Ground("59-ФЗ ст. 11 ч. 1", None, None, anonymous_only=True),
    NoAnswerGround.CRIME_REPORT: Ground(
        "59-ФЗ ст. 11 ч. 1", None, None, anonymous_only=True, forwards=True
    ),
    NoAnswerGround.COURT_DECISION: Ground(
        "59-ФЗ ст. 11 ч. 2", "return with how to appeal against the court decision", 7
    ),
    NoAnswerGround.ABUSIVE: Ground(
        "59-ФЗ ст. 11 ч. 3", "notice that abuse of the right is inadmissible", None
    ),
    NoAnswerGround.UNREADABLE: Ground(
        "59-ФЗ ст. 11 ч. 4", "notice that the text cannot be read", 7
    ),
    NoAnswerGround.UNCLEAR: Ground(
        "59-ФЗ ст. 11 ч. 4.1", "notice that the substance cannot be understood", 7
    ),
    NoAnswerGround.CORRESPONDENCE_ENDED: Ground(
        "59-ФЗ ст. 11 ч. 5", "notice that the correspondence has ended", None
    ),
}


class Article11Commands(AppealState):
    """The ст. 11 commands of an appeal."""

    if TYPE_CHECKING:
        _leave_without_answer: Callable[..., None]
        _send_notice: Callable[..., None]

    def leave_without_answer(
        self,
        *,
        ground: NoAnswerGround,
        reason: str,
        to_body: str | None,
        actor: Actor,
        at: datetime,
        time_reason: str | None = None,
    ) -> None:
        """Decide under ст. 11 that the appeal gets no answer on the merits."""
        self._refuse_unless("leave_without_answer", at, self.no_answer_ground is None)
        rule = GROUNDS[ground]
        if rule.anonymous_only and self.citizen_id is not None:
            raise ValidationError(field="ground", reason="applies only to an anonymous appeal")
        if rule.forwards != (to_body is not None):
            raise ValidationError(
                field="toBody", reason="is required exactly when the ground is crime_report"
            )
        self._leave_without_answer(
            ground=ground.value, reason=reason, to_body=to_body, **who(actor, at, time_reason)
        )

    def send_notice(
        self, *, reference: str, actor: Actor, at: datetime, time_reason: str | None = None
    ) -> None:
        """Record the notice ст. 11 owes the citizen (``reference``: the outgoing letter)."""
        self._refuse_unless("send_notice", at, self.notice_pending())
        assert self.no_answer_ground is not None
        self._send_notice(
            ground=self.no_answer_ground, reference=reference, **who(actor, at, time_reason)
        )

    def _refuse_unless(self, action: str, at: datetime, allowed: bool) -> None:
        require_status(self.id, self.status, action, OPEN)
        reason = None
        if self.registered_at is None:
            reason = "not_registered"
        elif not allowed:
            reason = "already_decided" if action == "leave_without_answer" else "no_notice_owed"
        if reason is not None:
            raise InvalidTransitionError(
                appeal_id=self.id, status=self.status.value, action=action, reason=reason
            )
        require_in_order(at, self.last_at, self.last_event)
