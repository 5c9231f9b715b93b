"""The brute-force oracle of the projection tests.

It never uses the projection code: it replays each appeal with the domain's own aggregate
(``ledger.repository.get``) and recomputes every figure from those states.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from api.container import Container
from ledger.deadlines import DueKind
from ledger.domain import OPEN, Appeal
from ledger.values import Channel, Status
from projections.models import Dimension, Period
from tests.integration.conftest_projections import ZONE


def expected_rows(container: Container, now: datetime) -> dict[UUID, dict[str, Any]]:
    """Every appeal's row, recomputed from the raw events with the domain aggregate."""
    ledger = container.ledger
    last: dict[UUID, int] = {}
    for n in ledger.recorder.select_notifications(start=None, limit=10**9):
        last[UUID(str(n.originator_id))] = n.id
    rows: dict[UUID, dict[str, Any]] = {}
    for appeal_id, position in last.items():
        appeal: Appeal = ledger.repository.get(appeal_id)
        dues = {d.kind: d.due_at for d in appeal.due_dates(ledger.norms, ledger.calendar)}
        pending = [
            due
            for due, met in (
                (dues.get(DueKind.REGISTRATION), appeal.registered_at),
                (dues.get(DueKind.FIRST_RESPONSE), appeal.first_response_at),
                (dues.get(DueKind.ANSWER), appeal.answered_at),
            )
            if due is not None and met is None
        ]
        next_due = min(pending) if pending and appeal.status in OPEN else None
        desk = _desk_fields(ledger.events.get(appeal_id))
        rows[appeal_id] = {
            "id": appeal_id,
            "channel": appeal.channel,
            "external_id": appeal.external_id,
            "status": appeal.status,
            "category": appeal.category,
            "body": appeal.body,
            "department": appeal.department,
            "assignee": appeal.assignee,
            "citizen_id": appeal.citizen_id,
            "received_at": appeal.received_at,
            "registered_at": appeal.registered_at,
            "first_response_at": appeal.first_response_at,
            "answered_at": appeal.answered_at,
            "closed_at": appeal.closed_at,
            "registration_due_at": dues.get(DueKind.REGISTRATION),
            "forwarding_due_at": dues.get(DueKind.FORWARDING),
            "answer_due_at": dues.get(DueKind.ANSWER),
            "first_response_due_at": dues.get(DueKind.FIRST_RESPONSE),
            "extended": appeal.extended_due_at is not None,
            "outcome": appeal.outcome,
            "duplicate_of": appeal.duplicate_of,
            "rating": appeal.rating,
            "reopen_count": appeal.reopen_count,
            "version": appeal.version,
            "last_position": position,
            "body_received_at": appeal.forwarded_at,
            "answered_on_time": appeal.first_answer_on_time(ledger.norms, ledger.calendar),
            "registration_number": appeal.registration_number,
            "location": appeal.location,
            **desk,
            "source": appeal.source,
            "published_at": next(
                (
                    e.event.at
                    for e in ledger.history(appeal_id)
                    if isinstance(e.event, Appeal.Answered) and e.event.public
                ),
                None,
            ),
            "awaits_notice": DueKind.NOTICE in dues,
            "next_due_at": next_due,
            "overdue": next_due is not None and next_due <= now,
        }
    return rows


def _desk_fields(events: Any) -> dict[str, Any]:
    """The last forward (from whom, why) and the reason of the extension now in force."""
    found: dict[str, Any] = {
        "forwarded_from": None,
        "forward_reason": None,
        "extension_reason": None,
    }
    body = None
    for event in events:
        if isinstance(event, Appeal.Received):
            body = event.body
        elif isinstance(event, Appeal.Forwarded):
            found.update(forwarded_from=body, forward_reason=event.reason, extension_reason=None)
            body = event.to_body
        elif isinstance(event, Appeal.DeadlineExtended):
            found["extension_reason"] = event.reason
    return found


def _period_start(day: date, period: Period | None) -> date | None:
    if period is None:
        return None
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return day


def _nearest_rank(values: list[float], percent: int) -> float | None:
    from projections.histogram import bin_of, representative

    if not values:
        return None
    ordered = sorted(values)
    exact = ordered[max(1, math.ceil(percent * len(ordered) / 100)) - 1]
    # The projection reports the bin's representative: within 1 % of ``exact``.
    return representative(bin_of(exact))


def expected_statistics(
    rows: dict[UUID, dict[str, Any]],
    group_by: list[Dimension],
    period: Period | None,
    now: datetime,
    channel: str | None = None,
) -> list[dict[str, Any]]:
    """Brute-force statistics over every appeal row, as plain dicts."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows.values():
        if channel is not None and row["channel"] != channel:
            continue
        # The body counts the appeal from when it received it (the forwarding, if any).
        local = (row["body_received_at"] or row["received_at"]).astimezone(ZONE).date()
        key = tuple(str(row[d.value]) if row[d.value] is not None else None for d in group_by)
        groups[(*key, _period_start(local, period))].append(row)
    out = []
    now_hours = now.timestamp() / 3600
    for key, members in groups.items():
        keys: dict[str, Any] = {d.value: key[i] for i, d in enumerate(group_by)}
        if period is not None:
            keys["period"] = key[-1]
        first = [
            (r["first_response_at"] - r["received_at"]).total_seconds()
            for r in members
            if r["first_response_at"] is not None
        ]
        resolution = [
            (r["closed_at"] - (r["body_received_at"] or r["received_at"])).total_seconds()
            for r in members
            if r["status"] is Status.CLOSED
        ]
        judged = [r for r in members if r["answered_on_time"] is not None]
        rated = [r["rating"] for r in members if r["rating"] is not None]
        out.append(
            {
                "keys": keys,
                "count": len(members),
                # Each problem once: appeals closed as a duplicate of another are left out.
                "problems": sum(
                    1
                    for r in members
                    if r["status"] is not Status.CLOSED or r["duplicate_of"] is None
                ),
                "counts_by_status": {
                    s: sum(1 for r in members if r["status"] is s) for s in Status
                },
                "first_response_p50": _nearest_rank(first, 50),
                "first_response_p90": _nearest_rank(first, 90),
                "resolution_p50": _nearest_rank(resolution, 50),
                "resolution_p90": _nearest_rank(resolution, 90),
                "on_time_share": (
                    sum(1 for r in judged if r["answered_on_time"]) / len(judged)
                    if judged
                    else None
                ),
                "answered_with_due": len(judged),
                "overdue_now": sum(
                    1
                    for r in members
                    if r["next_due_at"] is not None
                    and math.ceil(r["next_due_at"].timestamp() / 3600) <= math.floor(now_hours)
                ),
                "average_rating": sum(rated) / len(rated) if rated else None,
                "rated_count": len(rated),
                # Staff statistics are never suppressed; the public path has its own tests.
                "suppressed": False,
                "rating_suppressed": False,
            }
        )
    return sorted(out, key=lambda g: tuple(str(v) for v in g["keys"].values()))


def expected_waits(rows: dict[UUID, dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The ``stats_wait`` rows the oracle's appeals imply: month cell, metric, hour, count."""
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in rows.values():
        if row["status"] is Status.CLOSED:
            continue
        start = row["body_received_at"] or row["received_at"]
        month = start.astimezone(ZONE).date().replace(day=1).toordinal()
        cell = (
            "m",
            month,
            Channel(row["channel"]).value,
            row["category"] or "",
            row["body"],
            row["department"] or "",
            row["source"] or "",
        )
        counts[(*cell, "r", int(start.timestamp()) // 3600)] += 1
        if row["first_response_at"] is None:
            counts[(*cell, "f", int(row["received_at"].timestamp()) // 3600)] += 1
    return sorted((*key, n) for key, n in counts.items())
