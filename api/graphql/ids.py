"""Relay global ids: ``base64("Appeal:<uuid>")``, decoded strictly."""

from __future__ import annotations

import base64
import binascii
from uuid import UUID

from api.graphql.errors import bad_input

APPEAL = "Appeal"


def to_global_id(kind: str, value: UUID) -> str:
    """The opaque id a Relay client stores."""
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def appeal_uuid(value: str, field: str = "id") -> UUID:
    """Accept an appeal's global id or its raw UUID; anything else is BAD_USER_INPUT."""
    try:
        return UUID(value)
    except ValueError:
        pass
    try:
        kind, _, raw = (
            base64.b64decode(value.encode("ascii"), validate=True).decode().partition(":")
        )
        if kind == APPEAL:
            return UUID(raw)
    except (ValueError, binascii.Error, UnicodeError):
        pass
    raise bad_input(field, "is not an appeal id")
