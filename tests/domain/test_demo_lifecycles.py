"""The demo generator plays the lifecycles the law allows, forwards and reopens included."""

from __future__ import annotations

from datetime import UTC, datetime

from demo.generator import DemoOptions, generate
from ledger.application import AppealsLedger

UNTIL = datetime(2025, 6, 1, tzinfo=UTC)


def test_the_demo_has_forwarded_appeals_registered_by_the_receiving_body_and_reopened_ones() -> (
    None
):
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: UNTIL)

    appeals = list(generate(ledger, DemoOptions(appeals=1500, seed=7, until=UNTIL)))

    registered_again = [
        a
        for a in appeals
        if a.forwarded_at is not None
        and a.registered_at is not None
        and a.registered_at > a.forwarded_at
    ]
    reopened = [a for a in appeals if a.reopen_count]
    assert len(registered_again) >= 10
    assert len(reopened) >= 10
