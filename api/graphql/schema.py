"""The strawberry schema, and its SDL printed in a stable (sorted) order."""

from __future__ import annotations

import functools
from typing import Any

import strawberry
from graphql import GraphQLError, lexicographic_sort_schema, print_schema
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.tools import merge_types

from api.graphql import limits
from api.graphql.mutations import Mutation
from api.graphql.queries import Query
from api.graphql.scalars import SCALARS
from api.graphql.sources import SourceMutation, SourceQuery
from api.graphql.subscriptions import Subscription
from api.graphql.types import Appeal


class LedgerSchema(strawberry.Schema):
    """Errors are logged once, by the view, only when unexpected (with the request id)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with a memo of sub-fields of its own for each
    subscription event.

    graphql-core (3.3.2) memoizes an object's sub-fields by the identity of its list of field
    nodes, in a dict that the per-event copies of a subscription's executor share
    (``build_per_event_executor`` is a shallow copy). Each event collects its fields anew, so
    each event added an entry that was never hit again and lived as long as the subscription:
    the soak's one subscription held 3,822 entries after 35 s, and the worker serving it grew
    by about 1.4 MB a minute for as long as it lived. A query's memo lives for one request; an
    event's now lives for one event.
    """

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The API schema; introspection can be switched off in production."""
    extensions = limits.extensions()
    if not introspection:
        extensions.append(DisableIntrospection)
    return LedgerSchema(
        query=merge_types("Query", (Query, SourceQuery)),
        mutation=merge_types("Mutation", (Mutation, SourceMutation)),
        subscription=Subscription,
        types=[Appeal],
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=ExecutionContext,
    )


def sdl(schema: strawberry.Schema) -> str:
    """schema.graphql as committed: sorted, so diffs show real changes only."""
    return print_schema(lexicographic_sort_schema(schema._schema)) + "\n"


@functools.cache
def shared_schema(introspection: bool) -> strawberry.Schema:
    """The schema built once per process: every app of the process, and every worker forked
    from it after the first call, uses the same one."""
    return build_schema(introspection=introspection)


schema = shared_schema(True)
