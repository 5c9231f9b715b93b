"""How values are stored in view tables, the same on both stores.

Instants are integer microseconds since the Unix epoch (UTC), so ordering and range filters
are plain integer comparisons on SQLite and PostgreSQL alike. Dates are proleptic ordinals.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
HOUR_US = 3_600_000_000


def to_us(value: datetime | None) -> int | None:
    """An aware instant as microseconds since the epoch."""
    return None if value is None else (value - EPOCH) // MICROSECOND


def from_us(value: int | None) -> datetime | None:
    """The instant stored as microseconds since the epoch, in UTC."""
    return None if value is None else EPOCH + timedelta(microseconds=value)


def ceil_hour(us: int) -> int:
    """The first whole UTC hour at or after ``us``, as an hour number since the epoch."""
    return -(-us // HOUR_US)


def as_uuid(value: Any) -> UUID:
    """A UUID read back from either store."""
    return value if isinstance(value, UUID) else UUID(str(value))
