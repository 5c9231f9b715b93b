"""A long subscription keeps no state per event (graphql-core's shared sub-field memo)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncGenerator

import strawberry
from graphql import ExecutionResult
from graphql.execution.collect_fields import CollectedFields

from api.graphql.schema import ExecutionContext

EVENTS = 300


@strawberry.type
class Tick:
    n: int
    label: str


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self) -> AsyncGenerator[Tick, None]:
        for n in range(EVENTS):
            yield Tick(n=n, label=f"t{n}")


def _collected() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, CollectedFields))


async def _held_while_open(schema: strawberry.Schema) -> tuple[list[int], int]:
    """The events received, and the collected-field sets alive before the last one."""
    before = _collected()
    stream = await schema.subscribe("subscription { ticks { n label } }")
    assert not isinstance(stream, ExecutionResult)
    seen: list[int] = []
    held = 0
    async for result in stream:
        assert result.errors is None and result.data is not None
        seen.append(result.data["ticks"]["n"])
        if len(seen) == EVENTS - 1:
            held = _collected() - before  # the subscription is still open here
    return seen, held


def test_a_subscription_holds_no_collected_fields_per_event() -> None:
    schema = strawberry.Schema(
        query=Query, subscription=Subscription, execution_context_class=ExecutionContext
    )

    seen, held = asyncio.run(_held_while_open(schema))

    assert seen == list(range(EVENTS))
    assert held < 10, f"{held} collected-field sets held by an open subscription"
