"""``/``: the dashboard, built from the open-data files for the selected month and body."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from opendata.dashboard import series
from opendata.dashboard.page import render
from opendata.dashboard.series import Selection
from opendata.publication import File
from opendata.routes import PackageOf, Unavailable, not_published
from opendata.served import NotPublishedError


def routes(package_of: PackageOf, unavailable: Unavailable) -> list[BaseRoute]:
    """The dashboard's one route (a coded 503 until the first package is built)."""

    async def dashboard(request: Request) -> Response:
        try:
            files = await run_in_threadpool(package_of(request).current)
            return await run_in_threadpool(_page, request, files)
        except NotPublishedError:
            return not_published("the open data the dashboard draws is being built; try again")
        except Exception as error:
            if not unavailable(error):
                raise
            return not_published("the store is unavailable; try again")

    return [Route("/", dashboard, methods=["GET", "HEAD"])]


def _page(request: Request, files: Mapping[str, File]) -> Response:
    month = request.query_params.get("month") or None
    body = request.query_params.get("body") or None
    # An unknown month or body shows everything rather than an empty page.
    if month not in series.months(files):
        month = None
    if body not in series.bodies(files):
        body = None
    return HTMLResponse(render(files, Selection(month, body)))
