"""Answers of identical list queries, kept while the views stand still.

The operator's queue is asked for again and again in the same shape, and graphql-core
spends most of such a request completing a few hundred plain fields. An answer is kept per
(document, operation, variables, viewer, store read, view positions), so:

- **Read-your-writes.** The views' positions are read from the store on every request,
  before the lookup. A write acknowledged to a client has moved them (a mutation returns
  once the views hold it), so its next read has a new key and runs afresh. An answer read
  after its key's positions is newer, never older, than the key says.
- **Access.** The viewer (subject, role, body, department, grants) is part of the key, and
  the stored answer is one the access policy produced for that viewer.
- **Time.** ``overdue`` is evaluated at the read: an answer is kept only until the earliest
  due date of its rows not overdue yet (``Context.cache_until``), and a filter on
  ``overdue`` (whose rows change with the clock alone) is never kept.
- **Shape.** Only queries whose one root field is ``appeals`` and whose every other field is
  a plain attribute (no resolver, no argument, no directive, no fragment) are kept: no
  field below reads the event log, texts or keys, which move without the views. Errors are
  never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
)

from api.graphql.context import Context, off_loop
from api.graphql.errors import ApiError
from api.runtime.basis import Reader
from api.services import Services
from api.storage.unavailable import is_unavailable
from projections.read_models import ReadModels

Positions = tuple[tuple[str, int], ...]
"""Each view's position, sorted by view name: part of the key."""

ROOT_FIELD = "appeals"


class PageCache:
    """A bounded LRU of encoded answers; ``size`` 0 keeps nothing."""

    def __init__(self, schema: GraphQLSchema, size: int) -> None:
        self.schema = schema
        self.size = size
        self._answers: OrderedDict[Hashable, tuple[str, datetime]] = OrderedDict()
        self.accepts = lru_cache(maxsize=512)(self._accepts)

    def get(self, key: Hashable, now: datetime) -> str | None:
        """The answer kept under ``key`` if it still holds at ``now``."""
        found = self._answers.get(key)
        if found is None or now >= found[1]:
            return None
        self._answers.move_to_end(key)
        return found[0]

    def put(self, key: Hashable, answer: str, until: datetime) -> None:
        """Keep ``answer`` until ``until`` (or until evicted by newer keys)."""
        if self.size <= 0:
            return
        self._answers[key] = (answer, until)
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def _accepts(self, query: str, operation_name: str | None) -> bool:
        """Whether answers to this document may be kept (see the module docstring)."""
        if self.size <= 0:
            return False
        try:
            document = parse(query, max_tokens=2000)
        except GraphQLError:
            return False
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != len(document.definitions) or len(operations) != 1:
            return False  # fragments, or a choice of operations: not worth the care
        operation = operations[0]
        if operation.operation is not OperationType.QUERY or operation.directives:
            return False
        if operation_name is not None and (
            operation.name is None or operation.name.value != operation_name
        ):
            return False
        roots = operation.selection_set.selections
        if len(roots) != 1 or not isinstance(roots[0], FieldNode):
            return False
        root = roots[0]
        if root.name.value != ROOT_FIELD or root.directives:
            return False
        field = self.schema.query_type.fields.get(ROOT_FIELD) if self.schema.query_type else None
        if field is None:
            return False
        return _plain(get_named_type(field.type), root.selection_set)


def _plain(parent: object, selections: SelectionSetNode | None) -> bool:
    """Every selected field an attribute of its object (strawberry's default resolver)."""
    if selections is None:
        return True
    if not isinstance(parent, GraphQLObjectType):
        return False
    for selection in selections.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            return False
        name = selection.name.value
        if name == "__typename":
            continue
        field = parent.fields.get(name)
        if field is None or not getattr(field.resolve, "_is_default", False):
            return False
        if not _plain(get_named_type(field.type), selection.selection_set):
            return False
    return True


async def view_positions(services: Services, reads: ReadModels) -> Positions:
    """The views' positions in the store ``reads`` reads, read now (on the loop if it can)."""
    if reads is services.read_models and services.appeal_reads is not None:
        found = await services.appeal_reads.positions()
    else:
        found = await off_loop(reads.positions)
    return tuple(sorted(found.items()))


async def cache_key(
    cache: PageCache,
    context: Context,
    query: str,
    name: str | None,
    variables: dict[str, Any] | None,
) -> Hashable | None:
    """The page cache's key for this request, or None when its answer is not kept.

    The views are chosen here (and pinned on the context for the resolver: the standby's
    where it may answer the reader), and their positions read from the store.
    """
    if not cache.accepts(query, name):
        return None
    try:
        asked = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    services = context.services
    try:
        reader = context.reader
    except ApiError:
        return None  # a malformed X-Appeals-Position: the resolver refuses it
    try:
        positions = await _pin(services, context, reader)
    except Exception as error:
        context.reads = None
        if is_unavailable(error):
            return None  # the store is away: the resolver's own read answers with the code
        raise
    return (query, name, asked, context.viewer, id(context.reads), positions)


async def _pin(services: Services, context: Context, reader: Reader) -> Positions:
    """Pin the views that may answer ``reader`` on the context; their positions, read now.

    A standby that fails here is passed over for the primary, as ``Services.read`` does.
    """
    context.reads = reads = await services.reads_for(reader)
    try:
        return await view_positions(services, reads)
    except Exception as error:
        if not services.standby_failed(reads, error):
            raise
    await services.caught_up(reader.basis)
    context.reads = services.read_models
    return await view_positions(services, context.reads)
