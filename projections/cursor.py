"""Opaque keyset cursors: base64url of the order and the last row's sort key."""

from __future__ import annotations

import base64
import binascii
import json
from uuid import UUID

from projections.models import AppealOrder


class InvalidCursorError(ValueError):
    """A cursor that this module did not produce, or one for another order."""

    def __init__(self, *, cursor: str, reason: str) -> None:
        super().__init__(f"cursor={cursor[:64]!r} reason={reason}")
        self.cursor = cursor
        self.reason = reason


def encode_cursor(order: AppealOrder, key: float, appeal_id: UUID) -> str:
    """The cursor after a row with sort ``key`` and ``appeal_id`` in ``order``.

    Keys are integers (instants in microseconds), or the relevance score, a float that JSON
    carries exactly (``repr`` round-trips), so a page resumes at the very same score.
    """
    raw = json.dumps([order.value, key, appeal_id.hex], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: AppealOrder) -> tuple[float, UUID]:
    """The keyset tuple in ``cursor``; raises ``InvalidCursorError`` on anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        value = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursorError(cursor=cursor, reason="not_a_cursor") from None
    if not (isinstance(value, list) and len(value) == 3):
        raise InvalidCursorError(cursor=cursor, reason="not_a_cursor")
    kind, key, hex_id = value
    if kind != order.value:
        raise InvalidCursorError(cursor=cursor, reason="other_order")
    kinds: tuple[type, ...] = (float, int) if order is AppealOrder.RELEVANCE else (int,)
    if type(key) not in kinds or not isinstance(hex_id, str) or len(hex_id) != 32:
        raise InvalidCursorError(cursor=cursor, reason="not_a_cursor")
    try:
        return key, UUID(hex=hex_id)
    except ValueError:
        raise InvalidCursorError(cursor=cursor, reason="not_a_cursor") from None
