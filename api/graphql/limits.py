"""Request limits, built once so the parser and validation caches actually hit.

Strawberry's limiter extensions build their rule classes per request, which changes the
validation cache key on every request (about 7x slower). Here one rule class is created
once at import and added by ``RequestLimits``.

The rule measures depth, aliases and cost in one walk that computes each fragment once.
Walking every spread afresh (as strawberry's depth and alias limiters do) is exponential:
ten fragments that each spread the next one four times take seconds to validate, on the
event loop, in a document of about a hundred tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
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
    ValuesOfCorrectTypeRule,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.graphql.scalars import NamedValuesRule

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000
CACHE_SIZE = 512  # distinct documents kept parsed and validated
MAX_COST = 20_000
DEFAULT_PAGE = 20
MAX_PAGE = 100
# Fields that return unpaginated lists of a bounded but non-trivial size.
LIST_WEIGHT = {
    "history": 20,
    "answers": 5,
    "duplicates": 5,
    "dueDates": 4,
    "statistics": 50,
    "workload": 50,
}
TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class Shape:
    """What a selection set weighs: nesting depth, aliases, and estimated cost."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0

    def beside(self, other: Shape) -> Shape:
        """Two selections of one selection set."""
        return Shape(
            max(self.depth, other.depth), self.aliases + other.aliases, self.cost + other.cost
        )


def _page(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            return int(value.value) if isinstance(value, IntValueNode) else MAX_PAGE
    return DEFAULT_PAGE if node.name.value == "appeals" else 1


class QueryLimitsRule(ValidationRule):
    """Refuse operations deeper than ``MAX_DEPTH``, with more than ``MAX_ALIASES`` aliases,
    or costing (fields × page sizes) more than ``MAX_COST``; each as QUERY_TOO_COMPLEX."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.known: dict[str, Shape] = {}
        self.visiting: set[str] = set()

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        shape = self._shape(node.selection_set)
        for measure, value, limit in (
            ("depth", shape.depth, MAX_DEPTH),
            ("aliases", shape.aliases, MAX_ALIASES),
            ("cost", shape.cost, MAX_COST),
        ):
            if value > limit:
                self.report_error(
                    GraphQLError(
                        f"Query {measure} {value} exceeds the limit of {limit}.",
                        node,
                        extensions={"code": TOO_COMPLEX, measure: value, "limit": limit},
                    )
                )

    def _shape(self, selections: SelectionSetNode | None) -> Shape:
        total = Shape()
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total = total.beside(self._field(selection))
            elif isinstance(selection, InlineFragmentNode):
                total = total.beside(self._shape(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.beside(self._fragment(selection.name.value))
        return total

    def _field(self, node: FieldNode) -> Shape:
        inner = self._shape(node.selection_set)
        multiplier = _page(node) * LIST_WEIGHT.get(node.name.value, 1)
        # Introspection is not counted for depth, as strawberry's depth limiter does not.
        nested = node.selection_set is not None and not node.name.value.startswith("__")
        return Shape(
            depth=1 + inner.depth if nested else 0,
            aliases=inner.aliases + (1 if node.alias else 0),
            cost=1 + multiplier * inner.cost,
        )

    def _fragment(self, name: str) -> Shape:
        # Unknown and cyclic spreads weigh nothing here; other rules refuse them.
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return Shape()
        if name not in self.known:
            self.visiting.add(name)
            self.known[name] = self._shape(fragment.selection_set)
            self.visiting.discard(name)
        return self.known[name]


RULES: list[type[ASTValidationRule]] = [QueryLimitsRule]


cached_parse = lru_cache(maxsize=CACHE_SIZE)(parse)
cached_validate = lru_cache(maxsize=CACHE_SIZE)(validate_document)


class RequestLimits(SchemaExtension):
    """Strawberry's ParserCache, ValidationCache, MaxTokensLimiter and AddValidationRules in one.

    Strawberry builds every extension afresh per request and asks each of them for each of
    its four hooks; four extensions doing one line each cost more than the cached parse and
    validation they provide. The caches live at module level, shared by every request.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        context.validation_rules = (*_named(context.validation_rules), *RULES)
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = cached_parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        errors = cached_validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        # Strawberry runs the first operation when none is named; the specification
        # (GetOperation) requires a request error instead. The name is known only here.
        if not errors and context._provided_operation_name is None:
            errors = _unnamed_choice(context.graphql_document)
        context.pre_execution_errors = errors
        yield


def _named(rules: tuple[type[ASTValidationRule], ...]) -> tuple[type[ASTValidationRule], ...]:
    """The rules with graphql-core's value check replaced by one that names refused fields."""
    return tuple(NamedValuesRule if rule is ValuesOfCorrectTypeRule else rule for rule in rules)


def _unnamed_choice(document: DocumentNode | None) -> list[GraphQLError]:
    """An error when the document holds several operations and the request names none."""
    definitions = document.definitions if document else ()
    count = sum(isinstance(d, OperationDefinitionNode) for d in definitions)
    if count < 2:
        return []
    message = f"the document holds {count} operations: name the one to run in operationName"
    return [GraphQLError(message, extensions={"code": "GRAPHQL_VALIDATION_FAILED"})]


def extensions() -> list[Any]:
    """Schema extensions: the limits and caches above."""
    return [RequestLimits]
