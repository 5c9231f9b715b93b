"""The WHERE clause of an appeals list: every operator filter as SQL over the appeals view."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ledger.deadlines import DueKind
from ledger.lifecycle import OPEN
from projections.codec import to_us
from projections.models import AppealFilter

CLOCKS: dict[DueKind, tuple[str, str]] = {
    DueKind.REGISTRATION: ("registration_due_at", "registered_at"),
    DueKind.FIRST_RESPONSE: ("first_response_due_at", "first_response_at"),
    DueKind.ANSWER: ("answer_due_at", "answered_at"),
    DueKind.NOTICE: ("answer_due_at", "answered_at"),
}
"""The clocks an appeal can be overdue on: (due column, the column that meets it).

Forwarding is a limit on forwarding, not an obligation of every appeal, so it is not here
(as in ``AppealState.next_due_at``). After a 59-ФЗ ст. 11 decision the reply the appeal
awaits is its notice: ``answer_due_at`` then holds the notice's due date, and
``awaits_notice`` tells the two apart (``NoticeSent`` clears both)."""
_NOTICE = {
    DueKind.ANSWER: " AND awaits_notice IS NOT TRUE",  # NULL: a row made before the column
    DueKind.NOTICE: " AND awaits_notice IS TRUE",
}

_OPEN = ", ".join(f"'{status.value}'" for status in sorted(OPEN))
_EQUAL = (
    "status",
    "channel",
    "category",
    "body",
    "department",
    "assignee",
    "registration_number",
    "external_id",
    "source",
)


def appeal_where(filter: AppealFilter, now: datetime) -> tuple[list[str], list[Any]]:
    """Conditions (joined with AND by the caller) and their parameters."""
    where: list[str] = []
    params: list[Any] = []
    for column in _EQUAL:
        value = getattr(filter, column)
        if value is not None:
            where.append(f"{column} = ?")
            params.append(str(value))
    if filter.statuses is not None:
        marks = ", ".join("?" for _ in filter.statuses)
        where.append(f"status IN ({marks})" if filter.statuses else "1 = 0")
        params += [status.value for status in filter.statuses]
    received_range(filter.received_from, filter.received_to, "<", where, params)
    _due(filter, now, where, params)
    return where, params


def received_range(
    start: datetime | None,
    end: datetime | None,
    below: Literal["<", "<="],
    where: list[str],
    params: list[Any],
) -> None:
    """Add the conditions of a received-time range: from ``start`` on, and ``below`` (``<``
    or ``<=``) ``end``; a bound that is ``None`` adds none."""
    if start is not None:
        where.append("received_at >= ?")
        params.append(to_us(start))
    if end is not None:
        where.append(f"received_at {below} ?")
        params.append(to_us(end))


def _due(filter: AppealFilter, now: datetime, where: list[str], params: list[Any]) -> None:
    if filter.due_kind is None:
        pending = "next_due_at"
    else:
        due, met = CLOCKS[filter.due_kind]
        # An unmet obligation of this kind on an open appeal (next_due_at is NULL otherwise).
        where.append(
            f"{due} IS NOT NULL AND {met} IS NULL AND status IN ({_OPEN})"
            + _NOTICE.get(filter.due_kind, "")
        )
        pending = due
    if filter.due_before is not None:
        where.append(f"{pending} < ?")
        params.append(to_us(filter.due_before))
    if filter.overdue is True:
        where.append(f"{pending} <= ?")
        params.append(to_us(now))
    elif filter.overdue is False:
        where.append(f"({pending} IS NULL OR {pending} > ?)")
        params.append(to_us(now))
