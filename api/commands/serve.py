"""``appeals serve`` and ``appeals schema``: run the API, print its SDL."""

from __future__ import annotations

import argparse
from contextlib import closing
from pathlib import Path

from uvicorn.config import STARTUP_FAILURE

from api.bootstrap import audit_service, build, read_side
from api.commands.options import Subparsers, add_listen, at_least
from api.graphql.schema import shared_schema
from api.http.clientlimits import server_config
from api.runtime.standby import standby_store
from api.serve.drain import DrainingServer
from api.serve.supervisor import Supervisor, listening_socket
from api.settings import Settings, SettingsError
from api.storage.store import check_reachable, parse_store
from opendata.stored import PackageStore


def register(subs: Subparsers) -> None:
    """Add ``serve`` and ``schema`` to the command line."""
    serve = subs.add_parser(
        "serve",
        help="serve the GraphQL API",
        description="Serve /graphql (GET, POST, graphql-transport-ws), /healthz, /readyz and "
        "/metrics with uvicorn. Several workers (or several hosts) can share one PostgreSQL.",
    )
    add_listen(serve, 8000)
    serve.add_argument(
        "--workers",
        type=at_least(1),
        default=1,
        help="worker processes behind one socket: each new connection goes "
        "to the worker holding the fewest; a worker that dies is restarted "
        "(default 1)",
    )
    serve.set_defaults(handler=run_serve)
    schema = subs.add_parser(
        "schema",
        help="print or write schema.graphql",
        description="Print the GraphQL SDL, sorted, as committed.",
    )
    schema.add_argument("--write", type=Path, default=None, help="write to this file instead")
    schema.set_defaults(handler=run_schema)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    check_reachable(parse_store(str(settings.database_url)))
    if settings.read_database_url is not None:
        standby = standby_store(settings)
        try:
            check_reachable(standby)
        except SettingsError as error:
            raise SettingsError(f"APPEALS_READ_DATABASE_URL: {error}") from None
    print(f"Appeals Ledger API: http://{args.host}:{args.port}/graphql", flush=True)
    print(f"Public dashboard: http://{args.host}:{args.port}/ (open data: /opendata/)", flush=True)
    if args.workers > 1:
        try:
            listener = listening_socket(args.host, args.port)
        except OSError as error:
            raise SettingsError(f"cannot listen on {args.host}:{args.port}: {error}") from None
        # Built before the workers are forked, so each finds it built (api.serve.children).
        shared_schema(settings.introspection)
        supervisor = Supervisor(
            args.workers,
            listener,
            settings.access_log,
            duty=settings.run_projections,
            stop_timeout=settings.shutdown_timeout,
        )
        return supervisor.run(prepare=lambda: _prepare_store(settings))
    config = server_config(
        "api.http.app:create_app", settings, factory=True, host=args.host, port=args.port
    )
    server = DrainingServer(config)
    server.run()
    return 0 if server.started else STARTUP_FAILURE


def _prepare_store(settings: Settings) -> None:
    """Create the event table, the views and the audit log's tables once, before several
    workers start at once (each would create them too, and concurrent creations collide)."""
    with closing(build(settings)) as container:
        side = read_side(container)
        side.runner.setup()
        PackageStore(side.db).create()
        audit_service(settings, container)


def run_schema(args: argparse.Namespace, settings: Settings) -> int:
    from api.graphql.schema import schema, sdl

    text = sdl(schema)
    if args.write is None:
        print(text, end="")
    else:
        args.write.write_text(text)
    return 0
