"""The demo generator plays the lifecycles the law allows, forwards and reopens included."""

from __future__ import annotations

from datetime import UTC, datetime

from demo.generator import SYNTHETIC, DemoOptions, generate
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


def test_the_demo_has_appeals_left_without_an_answer_under_article_11_with_their_notices() -> None:
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: UNTIL)

    appeals = list(generate(ledger, DemoOptions(appeals=3000, seed=7, until=UNTIL)))

    decided = [a for a in appeals if a.no_answer_ground is not None]
    grounds = {a.no_answer_ground for a in decided}
    assert len(decided) >= 20
    assert {"court_decision", "unclear", "unreadable"} <= grounds
    assert all(a.notice_sent_at is not None for a in decided if a.notice_owed and a.closed_at)
    assert all(a.answered_at is None for a in decided)


def test_every_demo_event_states_that_its_time_is_synthetic() -> None:
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: UNTIL)

    appeals = list(generate(ledger, DemoOptions(appeals=200, seed=3, until=UNTIL)))

    reasons = {event.time_reason for appeal in appeals for event in appeal.collect_events()}
    assert reasons == {SYNTHETIC}
