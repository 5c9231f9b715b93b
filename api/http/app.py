"""The Starlette app factory: ``uvicorn --factory api.http.app:create_app``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from api import bootstrap, graphiql, public_routes
from api.graphql.context import off_loop
from api.graphql.schema import shared_schema
from api.graphql.view import LedgerGraphQL
from api.http import logs
from api.http.importing import import_file
from api.http.middleware import RequestMiddleware
from api.http.ratelimit import RateLimitMiddleware
from api.runtime.basis import POSITION_HEADER
from api.runtime.standby import open_standby
from api.services import Services
from api.settings import Settings
from api.storage.unavailable import RETRY_AFTER, is_unavailable
from api.tlog import audit_page
from api.tlog import routes as tlog_routes
from api.tlog.cosigned import latest_served
from api.tlog.witness_metrics import witness_gauges
from channels import webhook
from opendata.stored import PackageStore

log = logging.getLogger("appeals.api")
PROBE_SECONDS = 2.5
"""``/readyz`` and ``/metrics`` wait at most this long for the store."""


def create_app(settings: Settings | None = None, *, prepared: bool = False) -> Starlette:
    """Build the ASGI app; resources are created in the lifespan, once per process
    (``prepared``: the tables and views exist, see ``bootstrap.build_services``)."""
    settings = settings or Settings.from_environ()
    logs.install()
    graphql = LedgerGraphQL(
        shared_schema(settings.introspection),
        graphql_ide="graphiql" if settings.graphiql else None,
        allowed_origins=settings.ws_origins,
        page_cache_size=settings.page_cache_size,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Two threads per pooled connection: reads rarely wait for one, and a few slow
        # audit proofs cannot take every thread from the reads.
        executor = ThreadPoolExecutor(2 * settings.pool_size, thread_name_prefix="off-loop")
        asyncio.get_running_loop().set_default_executor(executor)
        services = await off_loop(bootstrap.build_services, settings, prepared=prepared)
        if services.appeal_reads is not None:
            await services.appeal_reads.open()
        if settings.read_database_url is not None:
            # Opened on the loop, so set here: the one field assigned after construction.
            services.standby = await open_standby(
                settings,
                services.read_models,
                services.container.events_table,
                services.metrics.served_from,
            )
        bootstrap.start(services)
        app.state.services = services
        # Start-up objects (schema, calendar, pools) live as long as the process: keep
        # them out of the collector's full passes, whose pauses would land on requests.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if services.appeal_reads is not None:
                await services.appeal_reads.close()
            if services.standby is not None:
                await services.standby.close()
            await off_loop(bootstrap.stop, services)

    middleware = [
        Middleware(
            RequestMiddleware,
            max_body_bytes=settings.max_body_bytes,
            body_timeout=settings.body_timeout,
            limits={"/import": (settings.import_max_bytes, settings.import_body_timeout)},
        ),
        Middleware(RateLimitMiddleware, per_minute=settings.rate_limit_per_minute),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", POSITION_HEADER],
                expose_headers=[POSITION_HEADER],
            )
        )
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/ledger/checkpoint", checkpoint),
        Route("/ledger/public-key", public_key),
        *public_routes.routes(),
        *tlog_routes.routes(),
        *audit_page.routes(),
        *webhook.routes(),
        Route("/import", import_file, methods=["POST"]),
    ]
    if settings.graphiql:
        routes.append(graphiql.assets())
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


async def healthz(request: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: the store answers, every helper thread works, every view is within the lag bound.

    Answers within ``PROBE_SECONDS`` even while the store is away.
    """
    services: Services = request.app.state.services
    helpers = {name: failure or "ok" for name, failure in services.helper_health().items()}
    probed = await _probe(services)
    if isinstance(probed, str):
        away = {"status": "unavailable", "store": probed, "helpers": helpers}
        return JSONResponse(away, 503, headers={"retry-after": str(RETRY_AFTER)})
    head, positions = probed
    lag = {name: head - position for name, position in positions.items()}
    ready = all(value <= services.settings.ready_max_lag for value in lag.values())
    status = "ready" if ready else "lagging"
    if any(value != "ok" for value in helpers.values()):
        ready, status = False, "degraded"
    body: dict[str, object] = {"status": status, "head": head, "lag": lag, "helpers": helpers}
    return JSONResponse(body, 200 if ready else 503)


async def metrics(request: Request) -> Response:
    """Prometheus exposition, with projection lag and health refreshed at scrape time.

    Always answers: while the store is away, ``appeals_store_up`` is 0 and lag keeps its
    last value.
    """
    services: Services = request.app.state.services
    probed = await _probe(services)
    services.metrics.store_up.set(int(not isinstance(probed, str)))
    if not isinstance(probed, str):
        head, positions = probed
        for name, position in positions.items():
            services.metrics.projection_lag.labels(view=name).set(head - position)
        if services.audit is not None:
            await off_loop(witness_gauges(services.metrics.registry).refresh, services.audit)
        try:
            stamp = await off_loop(PackageStore(services.read_models.db).stamp)
        except Exception as error:
            if not is_unavailable(error):
                raise
            stamp = None  # the store went away since the probe: keep the last values
        if stamp is not None:
            stored = services.metrics.opendata_stored
            stored.labels(figure="builds").set(stamp.builds)
            stored.labels(figure="build_seconds").set(stamp.seconds)
            stored.labels(figure="age_seconds").set(time.time() - stamp.built_at)
    for name, failure in services.helper_health().items():
        services.metrics.helper_up.labels(helper=name).set(int(failure is None))
    leadership = services.leadership
    services.metrics.projection_duty.set(int(leadership is not None and leadership.held))
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def checkpoint(request: Request) -> Response:
    """The latest signed checkpoint as a plain-text signed note, for anyone to witness."""
    services: Services = request.app.state.services
    note = await off_loop(latest_served, services.audit) if services.audit else None
    if note is None:
        return PlainTextResponse("no checkpoint yet\n", status_code=404)
    return PlainTextResponse(note, media_type="text/plain; charset=utf-8")


async def public_key(request: Request) -> Response:
    """The key every checkpoint is signed with (PEM), to pin in ``python -m ledger.verify``."""
    services: Services = request.app.state.services
    pem = await off_loop(services.audit.published_key) if services.audit else None
    if pem is None:
        return PlainTextResponse("no checkpoint key yet\n", status_code=404)
    return Response(pem, media_type="application/x-pem-file")


async def _probe(services: Services) -> tuple[int, dict[str, int]] | str:
    """The log head and the views' positions, or why the store could not tell in time."""
    try:
        return await asyncio.wait_for(off_loop(_positions, services), PROBE_SECONDS)
    except TimeoutError:
        return "TimeoutError"
    except Exception as error:
        # Reported as not ready, with the reason's class; what is not an outage is logged.
        if not is_unavailable(error):
            log.exception("the store probe failed")
        return type(error).__name__


def _positions(services: Services) -> tuple[int, dict[str, int]]:
    head = services.container.ledger.recorder.max_notification_id() or 0
    return head, services.read_models.positions()
