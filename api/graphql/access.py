"""Access rules every resolver applies: role first, then the appeal's scope."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from api.graphql.context import Context
from api.graphql.errors import ApiError
from api.http.viewer import READERS
from ledger.values import Role
from projections.models import AppealFilter, AppealRow

Info = strawberry.Info[Context, None]


def require_role(info: Info, allowed: frozenset[Role]) -> None:
    """No or a bad token: UNAUTHENTICATED; a valid token without the role: FORBIDDEN."""
    viewer = info.context.viewer
    if viewer.token_error is not None:
        raise ApiError("UNAUTHENTICATED", f"token is {viewer.token_error}")
    if viewer.role not in allowed:
        if viewer.is_public:
            raise ApiError("UNAUTHENTICATED", "this operation needs a bearer token")
        raise ApiError("FORBIDDEN", f"role {viewer.role.value} may not do this")


def require_reader(info: Info) -> None:
    """Appeals are for staff; the public gets statistics."""
    require_role(info, READERS)


def require_visible(info: Info, row: AppealRow) -> None:
    """Operators see their department's appeals only; others' are refused."""
    if not info.context.viewer.in_scope(row.body, row.department):
        raise ApiError("FORBIDDEN", "this appeal is outside your scope")


def scoped_filter(info: Info, asked: AppealFilter) -> AppealFilter:
    """A list filter narrowed to the viewer's scope; asking outside it is FORBIDDEN.

    Supervisors see their body, operators their department of it (``Viewer.in_scope``):
    whatever else is filtered (text search included), rows outside never come back.
    """
    viewer = info.context.viewer
    body, department = asked.body, asked.department
    if viewer.role in (Role.OPERATOR, Role.SUPERVISOR) and viewer.body:
        if body not in (None, viewer.body):
            raise ApiError("FORBIDDEN", "body is outside your scope")
        body = viewer.body
    if viewer.role is Role.OPERATOR:
        if department not in (None, viewer.department):
            raise ApiError("FORBIDDEN", "department is outside your scope")
        department = viewer.department
    return replace(asked, body=body, department=department)


def sees_nothing(info: Info) -> bool:
    """An operator token without a department is in no appeal's scope (``Viewer.in_scope``):
    its lists are empty rather than unfiltered."""
    viewer = info.context.viewer
    return viewer.role is Role.OPERATOR and viewer.department is None


def scope_of(info: Info) -> tuple[str | None, str | None]:
    """The (body, department) the viewer's lists are narrowed to; ``None``: any."""
    scoped = scoped_filter(info, AppealFilter())
    return scoped.body, scoped.department
