"""The SQLite writer connection never keeps a half-done transaction after a failure."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from api.bootstrap import build
from api.settings import Settings


def test_a_row_sqlite_cannot_bind_leaves_the_writer_ready_for_the_next_append(
    sqlite_url: str,
) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": sqlite_url}))
    recorder = container.ledger.recorder
    try:
        good = StoredEvent(uuid4(), 1, "appeals:Appeal.Received", b"{}")
        unbindable = StoredEvent(uuid4(), 2**70, "appeals:Appeal.Received", b"{}")

        with pytest.raises(OverflowError):
            recorder.insert_events([good, unbindable])
        ids = recorder.insert_events([good])

        assert ids is not None and len(ids) == 1
        stored = recorder.select_notifications(start=1, limit=10)
        assert [(n.originator_id, n.originator_version) for n in stored] == [
            (good.originator_id, 1)
        ]
    finally:
        container.close()
