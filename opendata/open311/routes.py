"""``/open311/v2/``: services, requests (filtered, paged) and one request, in JSON or XML."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from opendata.open311.documents import error, render, request, service
from opendata.open311.params import ParameterError, RequestsQuery, parse
from projections.models import AppealRow
from projections.published_query import PublishedQuery

MEDIA = {"json": "application/json", "xml": "text/xml; charset=utf-8"}


@dataclass(frozen=True)
class Open311:
    """What the routes read: public appeals, the time, and the text of public answers."""

    query: PublishedQuery
    clock: Callable[[], datetime]
    notes_of: Callable[[Sequence[UUID]], dict[UUID, str | None]]


SourceOf = Callable[[Request], Open311]
Endpoint = Callable[[Request], Awaitable[Response]]


def _formatted(answer: Callable[[Request, str], Awaitable[Response]]) -> Endpoint:
    """An endpoint that refuses a format other than ``json`` or ``xml`` (404, in JSON), and
    otherwise answers in the format asked."""

    async def endpoint(request: Request) -> Response:
        fmt = request.path_params["format"]
        if fmt not in MEDIA:
            return _error(404, "no such format", "json")
        return await answer(request, fmt)

    return endpoint


def routes(source_of: SourceOf) -> list[BaseRoute]:
    """The three GeoReport v2 endpoints under ``/open311/v2/``."""

    async def services(request: Request, fmt: str) -> Response:
        found = await run_in_threadpool(source_of(request).query.categories)
        return _answer([service(c) for c in found], "services", "service", fmt)

    async def requests(request: Request, fmt: str) -> Response:
        source = source_of(request)
        try:
            asked = parse(request.query_params, source.clock())
        except ParameterError as failure:
            return _error(400, str(failure), fmt)
        rows = await run_in_threadpool(_rows, source, asked)
        return _answer(await _documents(source, rows), "service_requests", "request", fmt)

    async def one(request: Request, fmt: str) -> Response:
        source = source_of(request)
        try:
            appeal_id = UUID(request.path_params["id"])
        except ValueError:
            return _error(404, "no such request", fmt)
        row = await run_in_threadpool(source.query.get, appeal_id, source.clock())
        if row is None:
            return _error(404, "no such request", fmt)
        return _answer(await _documents(source, [row]), "service_requests", "request", fmt)

    return [
        Route(
            "/open311/v2/services.{format}",
            _formatted(services),
            methods=["GET", "HEAD"],
            name="services",
        ),
        Route(
            "/open311/v2/requests.{format}",
            _formatted(requests),
            methods=["GET", "HEAD"],
            name="requests",
        ),
        Route(
            "/open311/v2/requests/{id}.{format}",
            _formatted(one),
            methods=["GET", "HEAD"],
            name="one",
        ),
    ]


def _rows(source: Open311, asked: RequestsQuery) -> list[AppealRow]:
    now = source.clock()
    if asked.ids is not None:  # GeoReport: with ids given, every other parameter is ignored
        found = [source.query.get(i, now) for i in dict.fromkeys(asked.ids)]
        return [row for row in found if row is not None]
    offset = (asked.page - 1) * asked.page_size
    return source.query.page(asked.filter, offset, asked.page_size, now)


async def _documents(source: Open311, rows: list[AppealRow]) -> list[dict[str, object]]:
    notes = await run_in_threadpool(source.notes_of, [row.id for row in rows])
    return [request(row, notes.get(row.id)) for row in rows]


def _answer(records: list[dict[str, object]], root: str, item: str, fmt: str) -> Response:
    body = render(records, root, item, fmt)
    return Response(body, media_type=MEDIA[fmt], headers={"access-control-allow-origin": "*"})


def _error(code: int, description: str, fmt: str) -> Response:
    body = render(error(code, description), "errors", "error", fmt)
    return Response(body, status_code=code, media_type=MEDIA[fmt])
