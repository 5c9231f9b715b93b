"""The appeals view: one row per appeal, indexed for the filters operators use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from ledger.values import Channel, Outcome, Status
from projections.appeal_state import COLUMNS, AppealState
from projections.codec import as_uuid, from_us, to_us
from projections.db import Cursor, Database
from projections.view import Transition

TABLE = "appeals_view"
NO_DUE = 2**63 - 1
"""Sort key of appeals with nothing pending, so they come last in due order."""
ROW_COLUMNS = (*COLUMNS, "next_due_at")
_TIMES = frozenset(
    {
        "received_at",
        "registered_at",
        "first_response_at",
        "answered_at",
        "closed_at",
        "registration_due_at",
        "forwarding_due_at",
        "answer_due_at",
        "first_response_due_at",
        "body_received_at",
        "published_at",
    }
)
_INDEXED = ("status", "channel", "category", "body", "department", "source")

DDL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id UUID PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL,
        status TEXT NOT NULL, category TEXT, body TEXT NOT NULL, department TEXT,
        assignee TEXT, citizen_id TEXT, received_at BIGINT NOT NULL, registered_at BIGINT,
        first_response_at BIGINT, answered_at BIGINT, closed_at BIGINT,
        registration_due_at BIGINT, forwarding_due_at BIGINT, answer_due_at BIGINT,
        first_response_due_at BIGINT, extended BOOLEAN NOT NULL, outcome TEXT,
        duplicate_of UUID, rating INTEGER, reopen_count INTEGER NOT NULL,
        version INTEGER NOT NULL, last_position BIGINT NOT NULL, next_due_at BIGINT,
        body_received_at BIGINT, answered_on_time BOOLEAN, registration_number TEXT,
        location TEXT, forwarded_from TEXT, forward_reason TEXT, extension_reason TEXT,
        published_at BIGINT, source TEXT, awaits_notice BOOLEAN)""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_received ON {TABLE} (received_at, id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_due ON {TABLE} ((COALESCE(next_due_at, {NO_DUE})), id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_citizen ON {TABLE} (citizen_id)",
    # The other end of ``duplicate_of``: an appeal's duplicates (``Appeal.duplicates``).
    f"CREATE INDEX IF NOT EXISTS {TABLE}_duplicate ON {TABLE} (duplicate_of)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_number ON {TABLE} (registration_number)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_external ON {TABLE} (external_id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_assignee ON {TABLE} (assignee, received_at, id)",
    *(
        f"CREATE INDEX IF NOT EXISTS {TABLE}_{c} ON {TABLE} ({c}, received_at, id)"
        for c in _INDEXED
    ),
]


def to_row(state: AppealState, db: Database) -> tuple[Any, ...]:
    """The view row of a state, in ``ROW_COLUMNS`` order."""
    uuid = db.uuid
    return (
        uuid(state.id),
        state.channel.value,
        state.external_id,
        state.status.value,
        state.category,
        state.body,
        state.department,
        state.assignee,
        state.citizen_id,
        to_us(state.received_at),
        to_us(state.registered_at),
        to_us(state.first_response_at),
        to_us(state.answered_at),
        to_us(state.closed_at),
        to_us(state.registration_due_at),
        to_us(state.forwarding_due_at),
        to_us(state.answer_due_at),
        to_us(state.first_response_due_at),
        state.extended,
        state.outcome.value if state.outcome else None,
        uuid(state.duplicate_of) if state.duplicate_of else None,
        state.rating,
        state.reopen_count,
        state.version,
        state.last_position,
        to_us(state.body_received_at),
        state.answered_on_time,
        state.registration_number,
        state.location,
        state.forwarded_from,
        state.forward_reason,
        state.extension_reason,
        state.source,
        to_us(state.published_at),
        state.awaits_notice,
        to_us(state.next_due_at),
    )


def from_row(row: Sequence[Any]) -> AppealState:
    """The state stored in a view row (``ROW_COLUMNS`` order)."""
    return AppealState(**state_values(row))


def state_values(row: Sequence[Any]) -> dict[str, Any]:
    """The fields of the state stored in a view row (``ROW_COLUMNS`` order), by name."""
    values: dict[str, Any] = dict(zip(COLUMNS, row, strict=False))
    for name in _TIMES:
        values[name] = from_us(values[name])
    values["id"] = as_uuid(values["id"])
    values["channel"] = Channel(values["channel"])
    values["status"] = Status(values["status"])
    values["extended"] = bool(values["extended"])
    values["awaits_notice"] = bool(values["awaits_notice"])  # NULL: a row made before it
    on_time = values["answered_on_time"]
    values["answered_on_time"] = None if on_time is None else bool(on_time)
    values["outcome"] = Outcome(values["outcome"]) if values["outcome"] else None
    values["duplicate_of"] = as_uuid(values["duplicate_of"]) if values["duplicate_of"] else None
    return values


def load_states(db: Database, cursor: Cursor, ids: Iterable[UUID]) -> dict[UUID, AppealState]:
    """Current states of the given appeals (missing ones are absent)."""
    found: dict[UUID, AppealState] = {}
    rows = db.select_ids(cursor, f"SELECT {', '.join(COLUMNS)} FROM {TABLE}", list(ids))
    for row in rows:
        state = from_row(tuple(row))
        found[state.id] = state
    return found


def states_in_pages(db: Database, cursor: Cursor, page: int) -> Iterator[list[AppealState]]:
    """Every appeal's current state, ``page`` at a time, in id order (for re-derivations)."""
    after = db.uuid(UUID(int=0))
    select = db.sql(
        f"SELECT {', '.join(ROW_COLUMNS)} FROM {TABLE} WHERE id > ? ORDER BY id LIMIT ?"
    )
    while True:
        cursor.execute(select, (after, page))
        rows = cursor.fetchall()
        if not rows:
            return
        yield [from_row(tuple(r)) for r in rows]
        after = next(iter(rows[-1]))


def delete_ids(db: Database, cursor: Cursor, table: str, ids: Sequence[UUID]) -> None:
    """Delete the rows of the given appeals from ``table``."""
    if ids:
        db.delete_ids(cursor, table, ids)


class AppealsView:
    """One row per appeal; also the store of states the other views derive from."""

    name = "appeals"

    def create(self, db: Database, cursor: Cursor) -> None:
        statements = db.dialect.ddl(DDL)
        cursor.execute(statements[0])
        # Before the indexes: a table made by an earlier release lacks their newer columns.
        _add_missing_columns(db, cursor)
        for statement in statements[1:]:
            cursor.execute(statement)

    def create_table(self, db: Database, cursor: Cursor) -> None:
        """The table without secondary indexes, for a bulk load; ``create`` adds them."""
        for statement in db.dialect.ddl(DDL[:1]):
            cursor.execute(statement)

    def drop(self, db: Database, cursor: Cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def apply(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        delete_ids(db, cursor, TABLE, [new.id for old, new in transitions if old is not None])
        db.copy_rows(cursor, TABLE, ROW_COLUMNS, [to_row(new, db) for _, new in transitions])

    def stage(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """A rebuild's page is written as a live batch: the rows go straight in."""
        self.apply(db, cursor, transitions)

    def settle(self, db: Database, cursor: Cursor) -> None:
        """Nothing is left to write after the last page."""


ADDED_COLUMNS = (
    ("body_received_at", "BIGINT"),
    ("answered_on_time", "BOOLEAN"),
    *((name, "TEXT") for name in ("registration_number", "location", "forwarded_from")),
    *((name, "TEXT") for name in ("forward_reason", "extension_reason")),
    ("published_at", "BIGINT"),
    ("source", "TEXT"),
    ("awaits_notice", "BOOLEAN"),
)
"""Columns added after the first release; a table made before them gets them as NULLs,
which mean what an appeal without a forward, a judged answer, a public answer, a source or
an awaited ст. 11 notice had before (``appeals projections rebuild`` fills them in from the log, the desk's too)."""


def _add_missing_columns(db: Database, cursor: Cursor) -> None:
    db.add_missing_columns(cursor, TABLE, ADDED_COLUMNS)
