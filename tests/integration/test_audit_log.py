"""The audit log as a projection on real SQLite and PostgreSQL: leaves, proofs, checkpoints."""

from __future__ import annotations

import hashlib
import threading
import uuid
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest

from api.bootstrap import build
from api.commands.demo import load_demo
from api.container import Container
from api.settings import Settings
from audit.errors import AuditError
from audit.keyfiles import generate_keys
from audit.leaves import event_head, hash_page, make_leaf, parse_head, stored_leaf_bytes
from audit.service import AuditConfig, AuditService
from ledger.errors import NotFoundError, ValidationError
from ledger.verify import (
    encode_leaf,
    leaf_hash,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)


@pytest.fixture
def audit(container: Container, tmp_path: Path) -> AuditService:
    generate_keys(tmp_path / "keys")
    return AuditService(container, AuditConfig(keys_dir=tmp_path / "keys"))


def _events(container: Container) -> list[tuple[int, str, int]]:
    notes = container.ledger.recorder.select_notifications(start=None, limit=1_000_000)
    return [(n.id, str(n.originator_id), n.originator_version) for n in notes]


def test_the_fast_leaf_hashing_is_exactly_encode_leaf() -> None:
    rows = [
        (7, "0b6c3a5e-0000-5000-8000-000000000001", 1, "appeals:Appeal.Received", b"x" * 300),
        (9, "ключ", 2**40, "appeals:Appeal.Rated", b""),
    ]
    heads = [(event_head(n, a, v, t), s) for n, a, v, t, s in rows]

    inputs, _, hashes = hash_page(41, heads)

    for offset, (nid, app, version, topic, state) in enumerate(rows):
        digest = hashlib.sha256(state).digest()
        assert inputs[offset] == b"\x00" + encode_leaf(
            41 + offset, nid, app, version, topic, digest
        )
        assert hashes[offset] == leaf_hash(
            encode_leaf(41 + offset, nid, app, version, topic, digest)
        )
        assert parse_head(heads[offset][0]) == (nid, app, version, topic)
    leaves = [make_leaf(41 + i, *row) for i, row in enumerate(rows)]
    assert stored_leaf_bytes(leaves) == (b"".join(inputs), b"".join(hashes))


def test_every_stored_event_becomes_exactly_one_leaf_in_log_order(
    container: Container, audit: AuditService
) -> None:
    load_demo(container, 30, seed=2, until=UNTIL, quiet=True)

    added = audit.catch_up(batch_size=7)
    again = audit.catch_up()

    events = _events(container)
    leaves = [leaf for appeal in {a for _, a, _ in events} for leaf in audit.log.leaves_of(appeal)]
    assert added == len(events) and again == 0
    assert sorted(leaf.leaf_index for leaf in leaves) == list(range(len(events)))
    by_index = sorted(leaves, key=lambda leaf: leaf.leaf_index)
    assert [(lf.notification_id, lf.appeal_id, lf.version) for lf in by_index] == events
    assert audit.head().size == len(events)


@pytest.mark.postgres
def test_the_leaf_index_has_no_gaps_when_notification_ids_do(
    postgres_url: str, tmp_path: Path
) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url}))
    generate_keys(tmp_path)
    audit = AuditService(container, AuditConfig(keys_dir=tmp_path))
    load_demo(container, 5, seed=1, until=UNTIL, quiet=True)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{container.events_table}', "
            f"'notification_id'), (SELECT max(notification_id) + 100 FROM "
            f"{container.events_table}))"
        )
    load_demo(container, 10, seed=2, until=UNTIL, quiet=True)

    audit.catch_up()

    events = _events(container)
    assert any(b - a > 1 for (a, _, _), (b, _, _) in pairwise(events))
    assert audit.head().size == len(events)
    assert audit.verify().ok
    container.close()


def test_concurrent_catch_ups_append_every_event_once(
    store_url: str, container: Container, audit: AuditService
) -> None:
    load_demo(container, 60, seed=4, until=UNTIL, quiet=True)
    others = [build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url})) for _ in range(3)]
    services = [AuditService(other, audit.config) for other in others]

    threads = [threading.Thread(target=s.catch_up, kwargs={"batch_size": 13}) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert audit.head().size == len(_events(container))
    assert audit.verify().ok
    for other in others:
        other.close()


def test_inclusion_and_consistency_proofs_verify_against_signed_checkpoints(
    container: Container, audit: AuditService, tmp_path: Path
) -> None:
    load_demo(container, 10, seed=5, until=UNTIL, quiet=True)
    first = audit.sign_checkpoint()
    load_demo(container, 25, seed=6, until=UNTIL, quiet=True)
    second = audit.sign_checkpoint()
    assert first is not None and second is not None
    appeal_id, version = _events(container)[3][1:]

    proof = audit.inclusion_proof_for(uuid.UUID(appeal_id), version, first.size)
    consistency = audit.consistency_proof(first.size, second.size)

    assert verify_inclusion(proof.leaf_hash, proof.leaf_index, first.size, proof.proof, first.root)
    assert verify_consistency(first.size, second.size, consistency, first.root, second.root)
    assert [cp.id for cp in audit.list_checkpoints()] == [second.id, first.id]
    assert audit.latest_note() == second.note
    public = __import__("audit.service", fromlist=["load_public_key"]).load_public_key(
        tmp_path / "keys"
    )
    assert verify_checkpoint(second.note, public, "appeals-ledger").size == second.size


def test_proof_requests_outside_the_log_are_refused(
    container: Container, audit: AuditService
) -> None:
    load_demo(container, 3, seed=7, until=UNTIL, quiet=True)
    audit.catch_up()
    _, appeal_id, _ = _events(container)[0]

    with pytest.raises(NotFoundError):
        audit.inclusion_proof_for(uuid.uuid4(), 1, 1)
    with pytest.raises(ValidationError):
        audit.inclusion_proof_for(uuid.UUID(appeal_id), 99, audit.head().size)
    with pytest.raises(ValidationError):
        audit.inclusion_proof_for(uuid.UUID(appeal_id), 1, audit.head().size + 1)
    with pytest.raises(ValidationError):
        audit.consistency_proof(2, audit.head().size + 1)


def test_a_checkpoint_is_signed_only_when_the_log_grew_if_asked(
    container: Container, audit: AuditService
) -> None:
    load_demo(container, 3, seed=8, until=UNTIL, quiet=True)

    first = audit.sign_checkpoint(only_if_grown=True)
    again = audit.sign_checkpoint(only_if_grown=True)

    assert first is not None and again is None
    assert len(audit.list_checkpoints()) == 1


def test_no_checkpoint_is_signed_over_a_log_that_no_longer_extends_the_last_one(
    container: Container, audit: AuditService
) -> None:
    load_demo(container, 4, seed=9, until=UNTIL, quiet=True)
    audit.sign_checkpoint()
    container.sql.execute(
        "UPDATE audit_nodes SET hash = ? WHERE idx = 0 AND level = "
        "(SELECT max(level) FROM audit_nodes)",
        [b"\x00" * 32],
    )

    with pytest.raises(AuditError, match="no longer extends"):
        audit.sign_checkpoint()
