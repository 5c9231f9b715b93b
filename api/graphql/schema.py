"""The strawberry schema, and its SDL printed in a stable (sorted) order."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, lexicographic_sort_schema, print_schema
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
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
    )


def sdl(schema: strawberry.Schema) -> str:
    """schema.graphql as committed: sorted, so diffs show real changes only."""
    return print_schema(lexicographic_sort_schema(schema._schema)) + "\n"


schema = build_schema()
