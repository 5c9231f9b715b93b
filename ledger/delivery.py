"""Recording the delivery of public answers back to the channel an appeal came from.

Delivery is the platform's doing, after the answer: it moves no business clock and never
counts as the appeal's last event, so staff may still date their acts before it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from ledger.errors import ValidationError
from ledger.events import who
from ledger.values import Actor

if TYPE_CHECKING:
    from ledger.appeal_state import Answer

__all__ = ["DeliveryCommands", "DeliveryOutcome"]


class DeliveryOutcome(NamedTuple):
    """One attempt to deliver a public answer: delivered when ``platform_id``, else failed.

    ``answer`` is the answer's index in the appeal, ``attempt`` counts from 1; a failure
    carries its ``error``, and ``final`` when no further attempt is made.
    """

    answer: int
    attempt: int
    platform_id: str | None = None
    error: str | None = None
    final: bool = False


class DeliveryCommands:
    """The delivery command of ``Appeal``; its mutators live with the others."""

    if TYPE_CHECKING:
        answers: list[Answer]

        # The ``@event`` mutators of ``Appeal`` (bodies in ``ledger.mutators``).
        _delivered: Callable[..., None]
        _delivery_failed: Callable[..., None]

    def record_delivery(self, outcome: DeliveryOutcome, *, actor: Actor, at: datetime) -> None:
        """Record one delivery attempt of a public answer."""
        answer, attempt, platform_id, error, final = outcome
        if not 0 <= answer < len(self.answers) or not self.answers[answer].public:
            raise ValidationError(field="answer", reason="is not a public answer of the appeal")
        fields = who(actor, at, "channel delivery")
        if platform_id is not None:
            self._delivered(answer=answer, attempt=attempt, platform_id=platform_id, **fields)
        else:
            failure = error or "unknown"
            self._delivery_failed(
                answer=answer, attempt=attempt, error=failure, final=final, **fields
            )
