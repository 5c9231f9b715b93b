"""Helpers for the projection tests: random appeal histories and a brute-force oracle.

The oracle never uses the projection code: it replays each appeal with the domain's own
aggregate (``ledger.repository.get``) and recomputes every figure from those states.
"""

from __future__ import annotations

import math
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from api.bootstrap import build
from api.container import Container
from api.settings import Settings
from ledger.deadlines import DueKind
from ledger.domain import OPEN, Appeal
from ledger.errors import LedgerError
from ledger.values import Actor, Channel, Outcome, Role, Status
from projections.assembly import ReadSide
from projections.models import Dimension, Period
from projections.read_models import ReadModels
from tests.conftest import create_database, drop_database

BASE = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 5, 20, 12, 30, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Moscow")
OPERATOR = Actor("operator-1", Role.OPERATOR)
ACTIONS = (
    "register",
    "categorize",
    "assign",
    "forward",
    "extend",
    "interim",
    "answer",
    "close_resolved",
    "close_rejected",
    "close_duplicate",
    "close_not_competent",
    "reopen",
    "rate",
)


@dataclass(frozen=True)
class Script:
    """One appeal's intake and the actions tried on it, split in two saved phases."""

    channel: str
    body: str
    category: str | None
    start_hours: float
    actions: list[tuple[str, float, int]]
    cut: int


scripts = st.lists(
    st.builds(
        Script,
        channel=st.sampled_from([c.value for c in Channel]),
        body=st.sampled_from(["Администрация", "Минздрав", "Минтранс"]),
        category=st.one_of(st.none(), st.sampled_from(["дороги", "ЖКХ"])),
        start_hours=st.floats(0, 24 * 40),
        actions=st.lists(
            st.tuples(st.sampled_from(ACTIONS), st.floats(0.1, 24 * 12), st.integers(1, 30)),
            max_size=9,
        ),
        cut=st.integers(0, 9),
    ),
    min_size=1,
    max_size=12,
)


@contextmanager
def fresh_store(kind: str, pg_admin: str | None) -> Iterator[Container]:
    """A wired ledger on a brand-new SQLite file or PostgreSQL database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'appeals.db'}"
            container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
            try:
                yield container
            finally:
                container.close()
        return
    assert pg_admin is not None
    url = create_database(pg_admin)
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    try:
        yield container
    finally:
        container.close()
        drop_database(pg_admin, url)


def fixed_read_models(side: ReadSide) -> ReadModels:
    """Read models whose clock is pinned to ``NOW``."""
    return ReadModels(side.db, side.runner.names, clock=lambda: NOW)


def record(container: Container, plan: list[Script], side: ReadSide, limits: list[int]) -> None:
    """Record the scripts in two phases, running the projection in uneven batches between."""
    ledger = container.ledger
    appeals: list[Appeal] = []
    clocks: list[datetime] = []
    for number, script in enumerate(plan):
        at = BASE + timedelta(hours=script.start_hours)
        appeals.append(
            ledger.new_appeal(
                channel=script.channel,
                external_id=f"ext-{number}",
                text="текст",
                body=script.body,
                category=script.category,
                at=at,
            )
        )
        clocks.append(at)
    for phase in (0, 1):
        for number, (appeal, script) in enumerate(zip(appeals, plan, strict=True)):
            cut = min(script.cut, len(script.actions))
            part = script.actions[:cut] if phase == 0 else script.actions[cut:]
            for action, gap, value in part:
                clocks[number] += timedelta(hours=gap)
                _try(container, appeal, action, clocks[number], value, appeals[0].id)
        ledger.save(*appeals)
        for limit in limits:
            side.runner.step(limit)
    side.runner.catch_up()


def _try(
    container: Container, appeal: Appeal, action: str, at: datetime, value: int, first: UUID
) -> None:
    ledger = container.ledger
    with suppress(LedgerError):
        match action:
            case "register":
                appeal.register(number=f"N-{value}", actor=OPERATOR, at=at)
            case "categorize":
                appeal.categorize(category=["дороги", "ЖКХ"][value % 2], actor=OPERATOR, at=at)
            case "assign":
                appeal.assign(
                    department=f"dept-{value % 3}",
                    assignee=f"ex-{value % 4}",
                    actor=OPERATOR,
                    at=at,
                )
            case "forward":
                body = ["Администрация", "Минздрав", "Минтранс"][value % 3]
                appeal.forward(to_body=body, reason="вне компетенции", actor=OPERATOR, at=at)
            case "extend":
                appeal.extend_deadline(
                    days=value,
                    reason="проверка",
                    actor=OPERATOR,
                    at=at,
                    norms=ledger.norms,
                    calendar=ledger.calendar,
                )
            case "interim" | "answer":
                appeal.answer(
                    text="ответ",
                    final=action == "answer",
                    public=value % 2 == 0,
                    actor=OPERATOR,
                    at=at,
                )
            case "close_resolved":
                appeal.close(outcome=Outcome.RESOLVED, duplicate_of=None, actor=OPERATOR, at=at)
            case "close_rejected":
                appeal.close(outcome=Outcome.REJECTED, duplicate_of=None, actor=OPERATOR, at=at)
            case "close_not_competent":
                appeal.close(
                    outcome=Outcome.NOT_COMPETENT, duplicate_of=None, actor=OPERATOR, at=at
                )
            case "close_duplicate":
                appeal.close(outcome=Outcome.DUPLICATE, duplicate_of=first, actor=OPERATOR, at=at)
            case "reopen":
                appeal.reopen(reason="не решено", actor=OPERATOR, at=at)
            case "rate":
                appeal.rate(score=1 + value % 5, actor=OPERATOR, at=at)


# --- the oracle ------------------------------------------------------------------------


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


def view_checksum(side: ReadSide) -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows, sorted: equal contents give equal checksums."""
    tables = ["appeals_view", "stats_cells", "stats_hist", "stats_due", "workload_open"]
    found: dict[str, list[tuple[Any, ...]]] = {}
    with side.db.reading() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            found[table] = sorted(tuple(str(v) for v in r) for r in cursor.fetchall())
    cursor_positions = side.read_models.positions()
    found["positions"] = sorted(cursor_positions.items())
    return found


def utc(value: datetime) -> datetime:
    """Normalise to UTC for comparisons."""
    return value.astimezone(UTC)


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
        )
        counts[(*cell, "r", int(start.timestamp()) // 3600)] += 1
        if row["first_response_at"] is None:
            counts[(*cell, "f", int(row["received_at"].timestamp()) // 3600)] += 1
    return sorted((*key, n) for key, n in counts.items())


def stored_waits(side: ReadSide) -> list[tuple[Any, ...]]:
    """What ``stats_wait`` holds, in the order of ``expected_waits``."""
    columns = "grain, bucket, channel, category, body, department, metric, since_hour, n"
    with side.db.reading() as cursor:
        cursor.execute(f"SELECT {columns} FROM stats_wait")
        return sorted(
            (str(r[0]), int(r[1]), *(str(v) for v in r[2:7]), int(r[7]), int(r[8]))
            for r in map(tuple, cursor.fetchall())
        )
