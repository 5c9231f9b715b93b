"""The package served live at ``/opendata/``, with ETag and Last-Modified for cheap polling."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from opendata.publication import File, Publication

PublicationOf = Callable[[Request], Publication]
CACHE = "public, max-age=60"


def routes(publication_of: PublicationOf) -> list[BaseRoute]:
    """``/opendata/`` (the index), ``/opendata/{path}`` for every file of the package."""

    async def serve(request: Request) -> Response:
        path = request.path_params.get("path") or "datapackage.json"
        publication = publication_of(request)
        files = await run_in_threadpool(publication.files)
        found = files.get(path)
        if found is None:
            return PlainTextResponse("no such open-data file\n", status_code=404)
        return _answer(request, found)

    return [
        Route("/opendata/", serve, methods=["GET", "HEAD"]),
        Route("/opendata/{path:path}", serve, methods=["GET", "HEAD"]),
    ]


def _answer(request: Request, found: File) -> Response:
    headers = {
        "etag": found.etag,
        "last-modified": format_datetime(found.modified, usegmt=True),
        "cache-control": CACHE,
        "access-control-allow-origin": "*",
    }
    if _not_modified(request, found):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


def _not_modified(request: Request, found: File) -> bool:
    """RFC 9110 §13.1: If-None-Match decides when present, else If-Modified-Since."""
    tags = request.headers.get("if-none-match")
    if tags is not None:
        listed = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return "*" in listed or found.etag in listed
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return found.modified <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
