"""Checkpoints signed before the time line was dropped still verify beside the new ones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from api.commands.demo import load_demo
from api.container import Container
from audit.keyfiles import generate_keys, load_private_key
from audit.service import AuditConfig, AuditService
from ledger.verify import format_checkpoint_body, parse_checkpoint, sign_checkpoint

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)


def test_a_store_with_an_old_four_line_checkpoint_and_a_new_one_verifies(
    container: Container, tmp_path: Path
) -> None:
    generate_keys(tmp_path / "keys")
    audit = AuditService(container, AuditConfig(keys_dir=tmp_path / "keys"))
    load_demo(container, 5, seed=3, until=UNTIL, quiet=True)
    audit.catch_up()
    head = audit.head()
    signed_at = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    old = sign_checkpoint(
        format_checkpoint_body("appeals-ledger", head.size, head.root, signed_at),
        "appeals-ledger",
        load_private_key(tmp_path / "keys"),
    )
    audit.store.add_checkpoint(head.size, head.root, signed_at, old)
    load_demo(container, 5, seed=4, until=UNTIL, quiet=True)

    new = audit.sign_checkpoint()
    report = audit.verify()

    assert new is not None and new.size > head.size
    assert parse_checkpoint(old).time == signed_at
    assert parse_checkpoint(new.note).time is None
    assert len(new.note.split("\n\n")[0].split("\n")) == 3
    assert report.ok, report.first
    assert report.checkpoints == 2
