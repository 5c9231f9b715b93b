"""The DateTime scalar is an instant: a value without a timezone offset is refused.

Checked here, once, for every DateTime input (arguments, input fields, literals and
variables), so no resolver can forget it and no naive value reaches the views' codec.
The scalar keeps strawberry's name ``DateTime`` and its ISO 8601 format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from graphql import (
    SKIP,
    ArgumentNode,
    GraphQLError,
    GraphQLInputType,
    ValidationContext,
    ValueNode,
    ValuesOfCorrectTypeRule,
    VisitorAction,
)
from graphql.utilities.validate_input_value import validate_input_literal
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from api.graphql.errors import InputRefusal

EXAMPLE = "2024-05-01T09:00:00+03:00"
NAIVE = f"must carry a timezone offset, like {EXAMPLE}"
NOT_ISO = f"must be an ISO 8601 date and time with an offset, like {EXAMPLE}"


def parse_instant(value: object) -> datetime:
    """Strawberry's ISO 8601 parse, then refuse a value that names no instant."""
    assert DateTimeDefinition.parse_value is not None
    try:
        parsed: datetime = DateTimeDefinition.parse_value(value)
    except StrawberryInputCoercionError:
        # Its message quotes the parser's internals ("invalid literal for int()").
        raise InputRefusal(NOT_ISO) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InputRefusal(NAIVE)
    return parsed


AwareDateTime: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="Date with time (isoformat) and a timezone offset; a value without one is "
    "refused as BAD_USER_INPUT.",
    serialize=datetime.isoformat,
    parse_value=parse_instant,
)
SCALARS: dict[object, ScalarDefinition] = {datetime: AwareDateTime}


class NamedValuesRule(ValuesOfCorrectTypeRule):
    """graphql-core's check of literal values, naming the field when a scalar refuses one."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.argument = "input"

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.argument = node.name.value

    def is_valid_value_node(
        self, node: ValueNode, input_type: GraphQLInputType | None
    ) -> VisitorAction:
        if input_type:

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                if isinstance(error, InputRefusal):
                    names = [step for step in path if isinstance(step, str)]
                    field = names[-1] if names else self.argument
                    error = GraphQLError(
                        f"{field} {error.message}",
                        node,
                        extensions={"code": "BAD_USER_INPUT", "field": field},
                    )
                self.report_error(error)

            validate_input_literal(
                node, input_type, on_error, None, None, self.context.hide_suggestions
            )
        return SKIP
