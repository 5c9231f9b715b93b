"""The Starlette app factory: ``uvicorn --factory api.http.app:create_app``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from eventsourcing.postgres import PostgresDatastore
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from api import graphiql, public_routes
from api.container import Container, build
from api.graphql.context import off_loop
from api.graphql.schema import build_schema
from api.graphql.view import LedgerGraphQL
from api.http import logs
from api.http.auth import Authenticator
from api.http.importing import import_file
from api.http.metrics import Metrics
from api.http.middleware import RequestMiddleware
from api.http.ratelimit import RateLimitMiddleware
from api.runtime import channelwiring, wiring_projections
from api.runtime.advances import ViewsListener
from api.runtime.asyncreads import AsyncAppealReads
from api.runtime.duty import audit_service, contend
from api.runtime.live import EventFeed
from api.services import Services
from api.settings import Settings
from api.storage.unavailable import RETRY_AFTER, is_unavailable
from api.tlog import audit_page
from api.tlog import routes as tlog_routes
from api.tlog.cosigned import latest_served
from api.tlog.witness_metrics import witness_gauges
from channels import webhook
from projections.listener import ListenContext, pg_listener

log = logging.getLogger("appeals.api")
SECRET_FILE = Path("var/jwt.secret")
PROBE_SECONDS = 2.5
"""``/readyz`` and ``/metrics`` wait at most this long for the store."""


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the ASGI app; resources are created in the lifespan, once per process."""
    settings = settings or Settings.from_environ()
    logs.install()
    graphql = LedgerGraphQL(
        build_schema(introspection=settings.introspection),
        graphql_ide="graphiql" if settings.graphiql else None,
        allowed_origins=settings.ws_origins,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Two threads per pooled connection: reads rarely wait for one, and a few slow
        # audit proofs cannot take every thread from the reads.
        executor = ThreadPoolExecutor(2 * settings.pool_size, thread_name_prefix="off-loop")
        asyncio.get_running_loop().set_default_executor(executor)
        services = await off_loop(start_services, settings)
        store = services.container.store
        if store.is_postgres:
            reads = AsyncAppealReads(store.conninfo, services.read_models, settings.pool_size,
                                     connect_timeout=store.connect_timeout,
                                     statement_timeout=store.statement_timeout)  # fmt: skip
            await reads.open()
            services.appeal_reads = reads
        app.state.services = services
        public_routes.warm(app.state)
        # Start-up objects (schema, calendar, pools) live as long as the process: keep
        # them out of the collector's full passes, whose pauses would land on requests.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if services.appeal_reads is not None:
                await services.appeal_reads.close()
            await off_loop(stop_services, services)

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
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"], allow_headers=["authorization", "content-type"],
        ))  # fmt: skip
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


def start_services(settings: Settings) -> Services:
    """Connect, build the read side, contend for the projection duty, start the event feed."""
    container = build(settings)
    read_side = wiring_projections.read_side(container)
    read_side.runner.setup()
    feed = EventFeed(container.ledger, _listener(container))
    services = Services(settings, container, read_side, feed, Metrics(),
                        Authenticator(_jwt_secret(settings)))  # fmt: skip
    services.audit = audit_service(settings, container)
    services.channels = channelwiring.intake(container, services.metrics.registry)
    if settings.run_projections:
        services.leadership = contend(container, read_side, services.audit)
        services.background.append(services.leadership)
    feed.start()
    datastore = getattr(read_side.db, "datastore", None)
    if isinstance(datastore, PostgresDatastore):
        views = ViewsListener(datastore, read_side.db.views_channel,
                              services.watcher.advance_threadsafe)  # fmt: skip
        views.start()
        services.background.append(views)
    return services


def stop_services(services: Services) -> None:
    """Stop background threads, then release connections."""
    services.feed.stop()
    for task in services.background:
        task.stop()
    services.container.close()


def _listener(container: Container) -> ListenContext | None:
    if not container.store.is_postgres:
        return None
    recorder = container.ledger.recorder
    return pg_listener(recorder.datastore, recorder.channel_name)  # type: ignore[attr-defined]


def _jwt_secret(settings: Settings) -> str:
    """The configured secret, or one kept in var/ so every local process shares it."""
    if settings.jwt_secret is not None:
        return str(settings.jwt_secret)
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.write_text(secrets.token_urlsafe(48))
        SECRET_FILE.chmod(0o600)
        log.warning("APPEALS_JWT_SECRET is not set: using a generated secret in %s", SECRET_FILE)
    return SECRET_FILE.read_text().strip()


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
