"""Access rules every resolver applies: role first, then the appeal's scope."""

from __future__ import annotations

import strawberry

from api.graphql.context import Context
from api.graphql.errors import ApiError
from api.http.viewer import READERS
from ledger.values import Role
from projections.models import AppealRow

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
