"""The live feed: it follows the log head while nobody listens, then delivers what is new."""

from __future__ import annotations

import asyncio

from api.container import Container
from api.live import EventFeed
from ledger.domain import Appeal
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
                await asyncio.sleep(0.1)
                return [entry.event, *[queue.get_nowait() for _ in range(queue.qsize())]]

        delivered = asyncio.run(scenario())
    finally:
        feed.stop()

    assert len(delivered) == 1
    assert isinstance(delivered[0], Appeal.Received)
    assert delivered[0].external_id == "after"
