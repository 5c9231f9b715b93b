"""Request limits, built once so the parser and validation caches actually hit.

Strawberry's limiter extensions build their rule classes per request, which changes the
validation cache key on every request (about 7x slower). Here the rule classes are created
once at import and added with one ``AddValidationRules``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000
MAX_COST = 20_000
DEFAULT_PAGE = 20
MAX_PAGE = 100
# Fields that return unpaginated lists of a bounded but non-trivial size.
LIST_WEIGHT = {"history": 20, "answers": 5, "dueDates": 4, "statistics": 50, "workload": 50}


def _page(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            value = argument.value
            return int(value.value) if isinstance(value, IntValueNode) else MAX_PAGE
    return DEFAULT_PAGE if node.name.value == "appeals" else 1


class QueryCostRule(ValidationRule):
    """Refuse operations whose estimated cost (fields × page sizes) exceeds ``MAX_COST``."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        cost = self._cost(node.selection_set, set())
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"Query cost {cost} exceeds the limit of {MAX_COST}.",
                    node,
                    extensions={"code": "QUERY_TOO_COMPLEX", "cost": cost, "limit": MAX_COST},
                )
            )

    def _cost(self, selections: SelectionSetNode | None, seen: set[str]) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                multiplier = _page(selection) * LIST_WEIGHT.get(selection.name.value, 1)
                total += 1 + multiplier * self._cost(selection.selection_set, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += self._cost(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    total += self._cost(fragment.selection_set, seen | {name})
        return total


RULES = [
    depth_validator(MAX_DEPTH, None),
    alias_validator(MAX_ALIASES),
    QueryCostRule,
]


def extensions() -> list[Any]:
    """Schema extension factories; the rule list above is shared by every request."""
    return [
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: MaxTokensLimiter(MAX_TOKENS),
        lambda: AddValidationRules(RULES),
    ]
