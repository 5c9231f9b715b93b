"""The live feed: it follows the log head while nobody listens, then delivers what is new."""

from __future__ import annotations

import asyncio

from api.container import Container
from api.runtime.live import EventFeed
from ledger.domain import Appeal
from ledger.values import Actor, Role
from tests.waiting import until


def _receive(container: Container, external_id: str) -> int:
    recorded = container.ledger.receive_appeal(
        channel="vk", external_id=external_id, text="Яма на дороге", body="Администрация"
    )
    assert recorded.position is not None
    return recorded.position


def test_a_subscriber_gets_the_events_after_it_subscribed_and_none_before(
    container: Container,
) -> None:
    feed = EventFeed(container.ledger, poll=0.01)
    feed.start()
    try:
        head = max(_receive(container, f"before-{n}") for n in range(3))
        until(lambda: feed.position == head)  # followed while nobody listened

        async def scenario() -> list[object]:
            async with feed.subscribe() as queue:
                after = await asyncio.to_thread(_receive, container, "after")
                entry = await asyncio.wait_for(queue.get(), timeout=10)
                assert entry.position == after
                # Anything delivered twice or out of turn would come before a later event.
                later = await asyncio.to_thread(_receive, container, "later")
                between = []
                while (
                    next_entry := await asyncio.wait_for(queue.get(), timeout=10)
                ).position != later:
                    between.append(next_entry.event)
                return [entry.event, *between]

        delivered = asyncio.run(scenario())
    finally:
        feed.stop()

    assert len(delivered) == 1
    assert isinstance(delivered[0], Appeal.Received)
    assert delivered[0].external_id == "after"


def test_each_event_carries_its_appeals_body_and_department_after_it(
    container: Container,
) -> None:
    ledger = container.ledger
    chief = Actor("chief", Role.SUPERVISOR)
    # Received and assigned before anyone listened: the feed has never folded this appeal.
    appeal_id = ledger.receive_appeal(
        channel="vk", external_id="moving", text="Яма", body="Администрация"
    ).appeal_id
    ledger.assign_appeal(appeal_id, department="Благоустройство", assignee="a", actor=chief)
    feed = EventFeed(container.ledger, poll=0.01)
    feed.scopes.size = 1  # every other appeal evicts it: each event of it is read afresh
    feed.start()

    async def scenario() -> list[tuple[str, str, str | None]]:
        async with feed.subscribe() as queue:
            moves = [
                lambda: ledger.assign_appeal(
                    appeal_id, department="Дороги", assignee="b", actor=chief
                ),
                lambda: _receive(container, "other"),
                lambda: ledger.forward_appeal(
                    appeal_id, to_body="Область", reason="не наше", actor=chief
                ),
                lambda: ledger.assign_appeal(
                    appeal_id, department="Свет", assignee="c", actor=chief
                ),
            ]
            for move in moves:
                await asyncio.to_thread(move)
            entries = [await asyncio.wait_for(queue.get(), timeout=10) for _ in moves]
        return [(type(e.event).__name__, e.body, e.department) for e in entries]

    try:
        delivered = asyncio.run(scenario())
    finally:
        feed.stop()

    assert delivered == [
        ("Assigned", "Администрация", "Дороги"),
        ("Received", "Администрация", None),
        ("Forwarded", "Область", None),
        ("Assigned", "Область", "Свет"),
    ]
