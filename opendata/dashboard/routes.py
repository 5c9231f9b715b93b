"""``/``: the dashboard, built from the open-data files for the selected month and body."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from opendata.dashboard import series
from opendata.dashboard.page import render
from opendata.dashboard.series import Selection
from opendata.publication import Publication


def routes(publication_of: Callable[[Request], Publication]) -> list[BaseRoute]:
    """The dashboard's one route."""

    async def dashboard(request: Request) -> Response:
        files = await run_in_threadpool(publication_of(request).files)
        month = request.query_params.get("month") or None
        body = request.query_params.get("body") or None
        # An unknown month or body shows everything rather than an empty page.
        if month not in series.months(files):
            month = None
        if body not in series.bodies(files):
            body = None
        page = await run_in_threadpool(render, files, Selection(month, body))
        return HTMLResponse(page)

    return [Route("/", dashboard, methods=["GET", "HEAD"])]
