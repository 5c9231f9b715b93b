"""Helpers for the projection tests: random appeal histories, recorded on a fresh store.

The brute-force oracle that checks the views against them is ``projection_oracle``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from api.bootstrap import build
from api.container import Container
from api.settings import Settings
from ledger.domain import Appeal
from ledger.errors import LedgerError
from ledger.values import Actor, Channel, Outcome, Role
from projections.assembly import ReadSide
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
    source: str | None = None


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
        source=st.one_of(st.none(), st.sampled_from(["vk:171000", "vk:171001"])),
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
                source=script.source,
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


def stored_waits(side: ReadSide) -> list[tuple[Any, ...]]:
    """What ``stats_wait`` holds, in the order of ``expected_waits``."""
    columns = "grain, bucket, channel, category, body, department, source, metric, since_hour, n"
    with side.db.reading() as cursor:
        cursor.execute(f"SELECT {columns} FROM stats_wait")
        return sorted(
            (str(r[0]), int(r[1]), *(str(v) for v in r[2:8]), int(r[8]), int(r[9]))
            for r in map(tuple, cursor.fetchall())
        )
