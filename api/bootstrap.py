"""The composition root: every entrypoint builds what it needs here, and only here.

Each object is built whole, from what was built before it, and nothing is assigned to a
field afterwards. The order follows the dependencies:

    settings → store → factory and recorder → SQL adapters (keys, positions) → ledger
             → read side (views, runner, read models) → audit service → duty (leadership)
             → watcher, event feed, views listener, appeal reads → ``Services``

The CLI takes the first part (``build``, ``read_side``, ``audit_service``); the duty
process adds the leadership (``run_duty``); the API process takes everything
(``open_services``), started and stopped by its lifespan.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from api.container import Container
from api.http.auth import Authenticator
from api.http.metrics import Metrics
from api.runtime import channelwiring
from api.runtime.advances import ViewsListener
from api.runtime.asyncreads import AsyncAppealReads
from api.runtime.auditkeeper import AuditKeeper
from api.runtime.delivering import delivery_worker
from api.runtime.duty import ProjectionDuty
from api.runtime.leader import Leadership, lock_for
from api.runtime.live import EventFeed
from api.runtime.publishing import publisher
from api.runtime.watcher import PositionWatcher
from api.services import Services, Stoppable
from api.settings import Settings
from api.storage.keystore import SqlKeyStore
from api.storage.positions import SqlEventPositions
from api.storage.sql import Sql
from api.storage.store import Store, check_reachable, parse_store
from api.storage.stored_ledger import StoredLedger, infrastructure
from api.tlog.witness import attach_witnesses
from audit.service import AuditConfig, AuditService
from ledger.application import AppealsLedger
from ledger.privacy import CitizenVault
from opendata.stored import PackageStore
from projections.assembly import ReadSide, build_read_side
from projections.listener import ListenContext, pg_listener

log = logging.getLogger("appeals.api")
SECRET_FILE = Path("var/jwt.secret")


def build(settings: Settings) -> Container:
    """Check the store is reachable, then wire the ledger and its SQL adapters to it."""
    store = parse_store(
        str(settings.database_url),
        pool_size=settings.pool_size,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout,
    )
    check_reachable(store)
    factory = infrastructure(store.env)
    recorder = factory.application_recorder()
    sql = Sql(factory.datastore)  # type: ignore[attr-defined]
    keys = SqlKeyStore(sql)
    positions = SqlEventPositions(sql, str(recorder.events_table_name))  # type: ignore[attr-defined]
    ledger = StoredLedger(
        factory,
        recorder,
        norms=settings.norms,
        calendar=settings.calendar,
        vault=CitizenVault(keys),
        positions=positions,
        earliest=settings.earliest_business_time,
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    return Container(settings, store, ledger, sql, keys)


def sealing_with(container: Container, vault: CitizenVault) -> AppealsLedger:
    """The container's ledger on the same recorder, sealing with ``vault`` (bulk loads).

    The demo loader seals with keys buffered in memory and stores them per batch; it gets
    a ledger of its own for that instead of swapping the shared ledger's vault.
    """
    ledger = container.ledger
    return StoredLedger(
        ledger.factory,
        ledger.recorder,
        norms=ledger.norms,
        calendar=ledger.calendar,
        vault=vault,
        positions=ledger.positions,
        earliest=ledger.earliest,
        clock_skew=ledger.business.skew,
        owns_store=False,
    )


def read_side(container: Container, *, batch_size: int = 10_000) -> ReadSide:
    """The read side on the container's datastore; call ``.runner.setup()`` once before use."""
    return build_read_side(
        container.sql.datastore,
        container.events_table,
        container.ledger.mapper,
        container.ledger.norms,
        container.ledger.calendar,
        notify_channel=_notify_channel(container),
        batch_size=batch_size,
        opener=container.ledger.open_texts,
    )


def audit_service(settings: Settings, container: Container) -> AuditService:
    """The audit log as the settings configure it."""
    config = AuditConfig(Path(settings.keys_dir), settings.log_origin, settings.checkpoint_interval)
    service = AuditService(container, config)
    attach_witnesses(service, settings.witnesses)
    return service


def leadership(
    container: Container,
    side: ReadSide,
    audit: AuditService,
    built: Callable[[float], None] = lambda seconds: None,
) -> Leadership:
    """A contender for the projection duty (not started): it runs here while it holds the lock.

    ``built`` is told the duration of each open-data build the duty saves (metrics).
    """
    return Leadership(
        lock_for(container.store),
        lambda: ProjectionDuty(
            side.worker(),
            AuditKeeper(audit),
            delivery_worker(container),
            publisher(container, side, built),
        ),
    )


def run_duty(settings: Settings, stop: threading.Event) -> None:
    """Contend for the duty until ``stop`` is set (the duty process of ``serve --workers``,
    whose supervisor created the tables and views before it started this process)."""
    container = build(settings)
    try:
        side = read_side(container)
        contender = leadership(container, side, audit_service(settings, container))
        contender.start()
        log.info("projection duty process started")
        stop.wait()
        contender.stop()
    finally:
        container.close()


def build_services(settings: Settings, *, prepared: bool = False) -> Services:
    """Everything an API process serves with, built and not yet started (see ``start``).

    ``prepared``: the tables and views exist already (a worker of ``serve --workers``, whose
    supervisor created them); otherwise they are created here.
    """
    container = build(settings)
    side = read_side(container)
    if not prepared:
        side.runner.setup()
        PackageStore(side.db).create()
    audit = audit_service(settings, container)
    metrics = Metrics()
    contender = (
        leadership(container, side, audit, metrics.opendata_built)
        if settings.run_projections
        else None
    )
    watcher = PositionWatcher(side.read_models, _pushed(container.store, contender))
    # The local worker's batches reach waiters at once (see api.runtime.watcher).
    side.runner.on_advance.append(watcher.advance_threadsafe)
    background: list[Stoppable] = [] if contender is None else [contender]
    datastore = container.sql.datastore
    if isinstance(datastore, PostgresDatastore):
        background.append(
            ViewsListener(datastore, side.db.views_channel, watcher.advance_threadsafe)
        )
    return Services(
        settings=settings,
        container=container,
        read_side=side,
        feed=EventFeed(container.ledger, _listener(container)),
        metrics=metrics,
        authenticator=Authenticator(jwt_secret(settings)),
        watcher=watcher,
        audit=audit,
        leadership=contender,
        appeal_reads=_appeal_reads(container, side, settings),
        channels=channelwiring.intake(container, metrics.registry),
        background=background,
    )


def start(services: Services) -> None:
    """Start the event feed and the background threads."""
    services.feed.start()
    for task in services.background:
        task.start()


def stop(services: Services) -> None:
    """Stop background threads, then release connections."""
    services.feed.stop()
    for task in services.background:
        task.stop()
    services.container.close()


def jwt_secret(settings: Settings) -> str:
    """The configured secret, or one kept in var/ so every local process shares it."""
    if settings.jwt_secret is not None:
        return str(settings.jwt_secret)
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.write_text(secrets.token_urlsafe(48))
        SECRET_FILE.chmod(0o600)
        log.warning("APPEALS_JWT_SECRET is not set: using a generated secret in %s", SECRET_FILE)
    return SECRET_FILE.read_text().strip()


def _pushed(store: Store, contender: Leadership | None) -> Callable[[], bool]:
    # PostgreSQL announces every batch to every process; on SQLite only the process that
    # projects hears of them.
    if store.is_postgres:
        return lambda: True
    return lambda: contender is not None and contender.held


def _appeal_reads(
    container: Container, side: ReadSide, settings: Settings
) -> AsyncAppealReads | None:
    # Appeal rows are read on the event loop on PostgreSQL (opened by the lifespan).
    store = container.store
    if not store.is_postgres:
        return None
    return AsyncAppealReads(
        store.conninfo,
        side.read_models,
        settings.pool_size,
        connect_timeout=store.connect_timeout,
        statement_timeout=store.statement_timeout,
    )


def _notify_channel(container: Container) -> str | None:
    # The PostgreSQL recorder NOTIFYs a channel on every append; SQLite has none.
    recorder = container.ledger.recorder
    return recorder.channel_name if isinstance(recorder, PostgresApplicationRecorder) else None


def _listener(container: Container) -> ListenContext | None:
    datastore = container.sql.datastore
    channel = _notify_channel(container)
    if not isinstance(datastore, PostgresDatastore) or channel is None:
        return None
    return pg_listener(datastore, channel)
