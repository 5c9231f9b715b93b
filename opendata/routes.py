"""The package served live at ``/opendata/``, with ETag and Last-Modified for cheap polling.

The bytes are the duty's last build, read from the store (``opendata.served``): an API
process never builds. Before the first build, or while the store is away, the answer is a
coded ``UNAVAILABLE`` 503 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from opendata.publication import File
from opendata.served import NotPublishedError, ServedPackage, Snapshot

PackageOf = Callable[[Request], ServedPackage]
Unavailable = Callable[[BaseException], bool]
CACHE = "public, max-age=60"
RETRY_AFTER = 10
"""Seconds a client is asked to wait for the first build (or the store) before it asks again."""


def routes(package_of: PackageOf, unavailable: Unavailable) -> list[BaseRoute]:
    """``/opendata/`` (the index), ``/opendata/{path}`` for every file of the package.

    ``unavailable`` tells a store that is away from a bug (which stays a 500).
    """

    async def serve(request: Request) -> Response:
        path = request.path_params.get("path") or "datapackage.json"
        try:
            found = await run_in_threadpool(_file, package_of(request), path)
        except NotPublishedError:
            return not_published("the open-data package is being built; try again")
        except Exception as error:
            if not unavailable(error):
                raise
            return not_published("the store is unavailable; try again")
        if found is None:
            return PlainTextResponse("no such open-data file\n", status_code=404)
        return _answer(request, found)

    return [
        Route("/opendata/", serve, methods=["GET", "HEAD"]),
        Route("/opendata/{path:path}", serve, methods=["GET", "HEAD"]),
    ]


def _file(package: ServedPackage, path: str) -> File | None:
    snapshot: Snapshot = package.current()
    return snapshot.get(path)


def not_published(message: str) -> Response:
    """A coded 503: nothing to serve yet (or the store is away), with ``Retry-After``."""
    error = {"message": message, "extensions": {"code": "UNAVAILABLE", "retryAfter": RETRY_AFTER}}
    return JSONResponse(
        {"errors": [error]},
        status_code=503,
        headers={"retry-after": str(RETRY_AFTER), "cache-control": "no-store"},
    )


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
