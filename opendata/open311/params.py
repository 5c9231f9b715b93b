"""The query parameters of ``requests``: checked, with a GeoReport error naming the bad one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from starlette.datastructures import QueryParams

from projections.published_query import PublishedFilter

DEFAULT_DAYS = 90  # GeoReport v2: without dates, the last 90 days
PAGE_SIZE, MAX_PAGE_SIZE = 50, 100


class ParameterError(Exception):
    """A query parameter GeoReport cannot take; ``parameter`` names it."""

    def __init__(self, *, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RequestsQuery:
    """What ``requests`` was asked for: ids (then nothing else counts), or a filter and page."""

    ids: tuple[UUID, ...] | None
    filter: PublishedFilter
    page: int
    page_size: int


def parse(params: QueryParams, now: datetime) -> RequestsQuery:
    """The request's parameters, or ``ParameterError``."""
    ids = None
    if params.get("service_request_id"):
        ids = tuple(_uuid(v) for v in params["service_request_id"].split(",") if v.strip())
    start = _instant(params, "start_date")
    end = _instant(params, "end_date")
    if start is None and end is None:
        end = now
        start = now - timedelta(days=DEFAULT_DAYS)
    if start is not None and end is not None and start > end:
        raise ParameterError(parameter="start_date", reason="is after end_date")
    wanted = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if wanted - {"open", "closed"}:
        raise ParameterError(parameter="status", reason="is open, closed or both")
    closed = None if len(wanted) != 1 else wanted == {"closed"}
    return RequestsQuery(
        ids=ids,
        filter=PublishedFilter(params.get("service_code") or None, closed, start, end),
        page=_count(params, "page", 1, 1, 10**6),
        page_size=_count(params, "page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def _uuid(value: str) -> UUID:
    try:
        return UUID(value.strip())
    except ValueError:
        raise ParameterError(parameter="service_request_id", reason="is not an id") from None


def _instant(params: QueryParams, name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ParameterError(parameter=name, reason="is not a W3C date and time") from None
    if value.tzinfo is None:
        raise ParameterError(parameter=name, reason="needs a timezone offset")
    return value


def _count(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ParameterError(parameter=name, reason=f"is a whole number from {low} to {high}")
    return int(raw)
