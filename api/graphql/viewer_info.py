"""``viewer``: who the token is, its role and scope, and what it may do."""

from __future__ import annotations

import strawberry

from api.graphql import enums
from api.graphql.errors import ApiError
from api.graphql.types import Info


@strawberry.type(name="Viewer", description="The caller as the API sees its token.")
class ViewerInfo:
    subject: str = strawberry.field(description="The token's subject; actor id of its events.")
    role: enums.Role
    body: str | None = strawberry.field(description="The body it is limited to, if any.")
    department: str | None = strawberry.field(description="An operator's department.")
    personal_data: bool = strawberry.field(
        description="Whether citizens' names and contacts are shown to it unmasked."
    )
    permissions: list[str] = strawberry.field(
        description="Operations its role allows (`appeals`: every read of appeals); each "
        "appeal must also be in its scope."
    )


def viewer_info(info: Info) -> ViewerInfo:
    """The viewer of this request; a bad token answers UNAUTHENTICATED."""
    viewer = info.context.viewer
    if viewer.token_error is not None:
        raise ApiError("UNAUTHENTICATED", f"token is {viewer.token_error}")
    return ViewerInfo(
        subject=viewer.subject,
        role=viewer.role,
        body=viewer.body,
        department=viewer.department,
        personal_data=viewer.sees_personal_data(),
        permissions=viewer.permissions(),
    )
