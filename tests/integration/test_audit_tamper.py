"""``appeals verify`` names every kind of tampering done straight to the tables with SQL."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.bootstrap import build
from api.commands.demo import load_demo
from api.container import Container
from api.settings import Settings
from audit.keyfiles import generate_keys
from audit.service import AuditConfig, AuditService
from tests.api.command_line import appeals

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)


@dataclass
class Store:
    """A store with a signed, caught-up audit log, and what a test needs to tamper with it."""

    url: str
    keys: Path
    container: Container
    events: list[tuple[int, str, int, str]]  # (notification id, appeal id, version, topic)

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    @property
    def nid(self) -> str:
        return "notification_id" if self.is_postgres else "rowid"

    def sql(self, statement: str, params: tuple[object, ...] = ()) -> None:
        self.container.sql.execute(statement.replace("EVENTS", self.container.events_table), params)

    def appeal_key(self, appeal_id: str) -> object:
        return uuid.UUID(appeal_id) if self.is_postgres else uuid.UUID(appeal_id).hex

    def verify(self) -> subprocess.CompletedProcess[str]:
        return appeals("verify", "--keys-dir", str(self.keys), "--quiet", url=self.url)

    def long_appeal(self) -> list[tuple[int, str, int, str]]:
        """The events of an appeal with at least three, from the middle of the log."""
        by_appeal: dict[str, list[tuple[int, str, int, str]]] = {}
        for event in self.events:
            by_appeal.setdefault(event[1], []).append(event)
        long = [events for events in by_appeal.values() if len(events) >= 3]
        return long[len(long) // 2]


def _store(url: str, tmp_path: Path) -> Iterator[Store]:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    generate_keys(tmp_path / "keys")
    audit = AuditService(container, AuditConfig(keys_dir=tmp_path / "keys"))
    load_demo(container, 25, seed=11, until=UNTIL, quiet=True)
    if url.startswith("postgresql"):  # a rolled-back writer leaves a gap in notification ids
        container.sql.execute(
            f"SELECT setval(pg_get_serial_sequence('{container.events_table}', "
            f"'notification_id'), (SELECT max(notification_id) + 5 "
            f"FROM {container.events_table}))"
        )
    load_demo(container, 25, seed=12, until=UNTIL, quiet=True)
    audit.sign_checkpoint()
    notes = container.ledger.recorder.select_notifications(start=None, limit=100_000)
    events = [(n.id, str(n.originator_id), n.originator_version, n.topic) for n in notes]
    yield Store(url, tmp_path / "keys", container, events)
    container.close()


@pytest.fixture
def pg(postgres_url: str, tmp_path: Path) -> Iterator[Store]:
    """A signed store on PostgreSQL."""
    yield from _store(postgres_url, tmp_path)


@pytest.fixture
def any_store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """A signed store on SQLite and on PostgreSQL."""
    yield from _store(store_url, tmp_path)


def test_an_untouched_store_verifies(any_store: Store) -> None:
    result = any_store.verify()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {len(any_store.events)} events of 50 appeals")


def test_changing_one_events_bytes_is_named(any_store: Store) -> None:
    nid, appeal_id, version, _ = any_store.long_appeal()[1]
    any_store.sql(f"UPDATE EVENTS SET state = state || ? WHERE {any_store.nid} = ?", (b" ", nid))

    result = any_store.verify()

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"FAIL: event-state-altered at appeal {appeal_id}, version {version}, notification {nid}"
    )
    assert "checkpoint-root-mismatch" in result.stderr


def test_deleting_an_event_is_named(any_store: Store) -> None:
    nid, appeal_id, version, _ = any_store.long_appeal()[1]
    any_store.sql(f"DELETE FROM EVENTS WHERE {any_store.nid} = ?", (nid,))

    result = any_store.verify()

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"FAIL: event-missing at appeal {appeal_id}, version {version}, notification {nid}"
    )
    assert f"version-gap at appeal {appeal_id}, version {version + 1}" in result.stderr


def test_a_forged_event_at_the_end_is_named(any_store: Store) -> None:
    events = any_store.long_appeal()
    _, appeal_id, version, topic = events[-1]
    any_store.sql(
        "INSERT INTO EVENTS (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
        (any_store.appeal_key(appeal_id), version + 1, topic, b"{}"),
    )

    result = any_store.verify()

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"FAIL: event-not-in-log at appeal {appeal_id}, version {version + 1}"
    )


def test_a_forged_event_slipped_into_a_gap_of_ids_is_named(pg: Store) -> None:
    gap = next(
        a + 1 for (a, *_), (b, *_) in zip(pg.events, pg.events[1:], strict=False) if b - a > 1
    )
    forged = str(uuid.uuid4())
    pg.sql(
        "INSERT INTO EVENTS (originator_id, originator_version, topic, state, notification_id) "
        "VALUES (?, 1, 'appeals:Appeal.Received', ?, ?)",
        (uuid.UUID(forged), b"{}", gap),
    )

    result = pg.verify()

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"FAIL: event-not-in-log at appeal {forged}, version 1, notification {gap}"
    )


def test_swapping_the_contents_of_two_rows_is_named(pg: Store) -> None:
    first, second = pg.long_appeal()[1], pg.events[-3]
    pg.sql(
        "UPDATE EVENTS AS e SET state = o.state, topic = o.topic FROM EVENTS AS o WHERE "
        "(e.notification_id, o.notification_id) IN ((?, ?), (?, ?))",
        (first[0], second[0], second[0], first[0]),
    )

    result = pg.verify()

    assert result.returncode == 1
    assert result.stderr.startswith(("FAIL: event-state-altered", "FAIL: event-topic-altered"))
    assert f"at appeal {first[1]}, version {first[2]}, notification {first[0]}" in result.stderr


def test_truncating_the_tail_after_a_checkpoint_is_named_even_with_a_rebuilt_log(
    pg: Store,
) -> None:
    cut = pg.events[len(pg.events) - 10][0]
    pg.sql("DELETE FROM EVENTS WHERE notification_id >= ?", (cut,))
    for statement in (
        "DELETE FROM audit_leaves",
        "DELETE FROM audit_nodes",
        "UPDATE audit_tracking SET position = 0, size = 0",
    ):
        pg.sql(statement)
    rebuilt = appeals("audit", "catch-up", url=pg.url)

    result = pg.verify()

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert result.returncode == 1
    assert result.stderr.startswith(
        "FAIL: checkpoint-beyond-log at checkpoint 1: signed "
        f"{len(pg.events)} events, the store gives "
        f"{len(pg.events) - 10}: 10 removed"
    )


def test_altering_a_stored_checkpoint_is_named(any_store: Store) -> None:
    size = len(any_store.events)
    any_store.sql(
        "UPDATE audit_checkpoints SET note = replace(note, ?, ?)",
        (f"\n{size}\n", f"\n{size - 1}\n"),
    )

    result = any_store.verify()

    assert result.returncode == 1
    assert result.stderr.startswith("FAIL: checkpoint-signature-invalid at checkpoint 1")


def test_altering_a_checkpoints_columns_is_named(pg: Store) -> None:
    pg.sql("UPDATE audit_checkpoints SET root = ?", (b"\x01" * 32,))

    result = pg.verify()

    assert result.returncode == 1
    assert result.stderr.startswith("FAIL: checkpoint-row-altered at checkpoint 1")


def test_altering_the_logs_own_tables_is_named(pg: Store) -> None:
    nid, appeal_id, version, _ = pg.long_appeal()[0]
    pg.sql("UPDATE audit_leaves SET leaf_hash = ? WHERE notification_id = ?", (b"\x02" * 32, nid))
    leaf = pg.verify()
    pg.sql("UPDATE audit_leaves SET leaf_hash = ? WHERE notification_id = ?", (b"\x02" * 32, nid))
    pg.sql("DELETE FROM audit_leaves")
    pg.sql("DELETE FROM audit_nodes")
    pg.sql("UPDATE audit_tracking SET position = 0, size = 0")
    appeals("audit", "catch-up", url=pg.url)
    pg.sql("UPDATE audit_nodes SET hash = ? WHERE level = 2 AND idx = 3", (b"\x03" * 32,))

    node = pg.verify()

    assert leaf.stderr.startswith(f"FAIL: leaf-altered at appeal {appeal_id}, version {version}")
    assert node.returncode == 1
    assert node.stderr.startswith("FAIL: node-altered: level 2 index 3")
