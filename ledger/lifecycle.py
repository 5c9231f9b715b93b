"""The appeal's state machine: which command is allowed from which status, and what follows.

This is the one home of the lifecycle: ``Appeal`` (``ledger.domain``) checks its commands
against ``ALLOWED`` and moves to ``STATUS_AFTER``; the read side's fold
(``projections.state``) moves its rows with the same ``STATUS_AFTER`` and asks ``OPEN``.

``*`` = any status except CLOSED; "open" = RECEIVED, REGISTERED, ASSIGNED, FORWARDED.

=================  ===============================  ==========================================
command            allowed from                     result
=================  ===============================  ==========================================
receive            (new)                            RECEIVED
register           open, while not registered       REGISTERED; registration and answer clocks
                   (also after a forward or a       run from it (ст. 8 ч. 2, ст. 12 ч. 1)
                   reopen)
categorize         *                                status unchanged
assign             open                             ASSIGNED (reassignment allowed)
forward            open                             FORWARDED to another body, which must
                                                    register it anew (ст. 8 ч. 2–3): the
                                                    registration, extension and answer clocks
                                                    of the first body end
extend_deadline    open, registered, not extended,  status unchanged; answer due + 1–30 days
                   not reopened, before the         (ст. 12 ч. 2)
                   current answer due
answer (interim)   open                             status unchanged
answer (final)     open                             ANSWERED
close              ANSWERED: any outcome;           CLOSED
                   open: rejected, duplicate,
                   no_answer_required (a formal
                   appeal only once registered,
                   ст. 8 ч. 2); FORWARDED:
                   not_competent (ст. 8 ч. 3)
reopen             CLOSED                           ASSIGNED; the answer and the rating are
                                                    cleared and a new answer period runs from
                                                    the reopen (see ``deadlines``)
rate               ANSWERED, CLOSED (after a        status unchanged
                   final answer)
erase_personal     any, once                        status unchanged; citizen data destroyed
leave_without_     open, registered, no decision    status unchanged; no answer is due any
answer             yet (ч. 1: anonymous only)       more, a notice is (59-ФЗ ст. 11, see
                                                    ``ledger.article11``); a final answer is
                                                    refused, and ``close`` takes only
                                                    no_answer_required, after the notice
send_notice        open, after a decision that      status unchanged; the notice clock is met
                   owes a notice, once              (ст. 11 ч. 2, 3, 4, 4.1, 5)
add_note           any                              status unchanged; an internal note, not a
                                                    step of the procedure (no clock moves)
=================  ===============================  ==========================================

A formal appeal is one received through a formal channel or registered at some point.
No command may be dated before the appeal's last event (``at`` precedes … is refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

from ledger.errors import InvalidTransitionError, ValidationError
from ledger.values import Outcome, Status

__all__ = ["ALLOWED", "NEEDS_ANSWER", "OPEN", "STATUS_AFTER", "close_allowed_from"]

OPEN = frozenset({Status.RECEIVED, Status.REGISTERED, Status.ASSIGNED, Status.FORWARDED})
"""Still waiting for work."""

NEEDS_ANSWER = frozenset({Outcome.RESOLVED, Outcome.EXPLAINED})
"""Outcomes that close an appeal only after a final answer."""

ALLOWED: Mapping[str, frozenset[Status]] = MappingProxyType(
    {
        "register": OPEN,
        "categorize": OPEN | {Status.ANSWERED},
        "assign": OPEN,
        "forward": OPEN,
        "extend_deadline": OPEN,
        "answer": OPEN,
        "reopen": frozenset({Status.CLOSED}),
        "rate": frozenset({Status.ANSWERED, Status.CLOSED}),
        "erase_personal_data": frozenset(Status),
        "add_note": frozenset(Status),
    }
)
"""The statuses each command (other than ``close``, see ``close_allowed_from``) starts from."""

STATUS_AFTER: Mapping[str, Status] = MappingProxyType(
    {
        "Received": Status.RECEIVED,
        "Registered": Status.REGISTERED,
        "Assigned": Status.ASSIGNED,
        "Forwarded": Status.FORWARDED,
        "Answered": Status.ANSWERED,
        "Closed": Status.CLOSED,
        "Reopened": Status.ASSIGNED,
    }
)
"""The status an event (by class name) leaves the appeal in; ``Answered``: a final answer.

Events not named here leave the status unchanged.
"""


def close_allowed_from(outcome: Outcome) -> frozenset[Status]:
    """The statuses an appeal may be closed from with ``outcome``."""
    if outcome in NEEDS_ANSWER:
        return frozenset({Status.ANSWERED})
    if outcome is Outcome.NOT_COMPETENT:
        # ст. 8 ч. 3: an appeal outside the competence is forwarded, not just closed.
        return frozenset({Status.FORWARDED, Status.ANSWERED})
    return OPEN | {Status.ANSWERED}


def require_status(
    appeal_id: UUID, status: Status, action: str, allowed: frozenset[Status], **context: Any
) -> None:
    """Refuse ``action`` from ``status`` unless it is one of ``allowed``."""
    if status not in allowed:
        raise InvalidTransitionError(
            appeal_id=appeal_id, status=status.value, action=action, **context
        )


def require_in_order(at: datetime, last_at: datetime, last_event: str) -> None:
    """Refuse a business time before the appeal's last event (ст. 8, ст. 12 count from them)."""
    if at < last_at:
        raise ValidationError(
            field="at",
            reason=(
                f"{at.isoformat()} precedes the appeal's {last_event} at {last_at.isoformat()}"
            ),
        )
