"""The projection duty: projections, the audit-log keeper and answer delivery, in one process.

An API process contends for it (``api.runtime.leader``) unless told not to. ``appeals serve
--workers N`` instead runs it in a process of its own beside the N API workers
(``run_duty``): every write's projection used to take the GIL of whichever API worker held
the lock, so that worker's requests queued behind it and its connections saw the slowest
answers. Waiters in the API workers hear each batch through PostgreSQL's ``NOTIFY``
(``api.runtime.advances``).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from api.container import Container, build
from api.runtime.auditkeeper import AuditKeeper
from api.runtime.delivering import DeliveryWorker, delivery_worker
from api.runtime.leader import Leadership, lock_for
from api.runtime.wiring_projections import read_side as read_side_of
from api.serve.lifeline import end_with_parent
from api.serve.procname import name_process
from api.settings import Settings
from api.tlog.witness import attach_witnesses
from audit.service import AuditConfig, AuditService
from projections.assembly import ReadSide
from projections.worker import Worker

log = logging.getLogger("appeals.duty")


@dataclass
class ProjectionDuty:
    """The background work one process per store does: projections and the audit log."""

    worker: Worker
    keeper: AuditKeeper
    deliveries: DeliveryWorker

    def start(self) -> None:
        """Start the threads."""
        self.worker.start()
        self.keeper.start()
        self.deliveries.start()

    def alive(self) -> bool:
        """Whether every thread still runs."""
        return self.worker.is_alive() and self.keeper.is_alive() and self.deliveries.is_alive()

    def stop(self) -> None:
        """Stop them, the worker last (the others read nothing it writes)."""
        self.deliveries.stop()
        self.keeper.stop()
        self.worker.stop()


def audit_service(settings: Settings, container: Container) -> AuditService:
    """The audit log as the settings configure it."""
    config = AuditConfig(Path(settings.keys_dir), settings.log_origin,
                         settings.checkpoint_interval)  # fmt: skip
    service = AuditService(container, config)
    attach_witnesses(service, settings.witnesses)
    return service


def contend(container: Container, read_side: ReadSide, audit: AuditService) -> Leadership:
    """Start contending for the duty; it runs here while this process holds the lock."""
    leadership = Leadership(
        lock_for(container.store),
        lambda: ProjectionDuty(read_side.worker(), AuditKeeper(audit), delivery_worker(container)),
    )
    leadership.start()
    return leadership


def run_duty() -> None:
    """A process that only contends for the duty, until SIGTERM or SIGINT (``serve``)."""
    name_process("appeals-duty")
    end_with_parent()
    settings = Settings.from_environ()
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            # A second signal: stop now. A projection batch in flight is one transaction,
            # which the database rolls back when this process's connections close.
            os._exit(1)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stopping)
    container = build(settings)
    try:
        side = read_side_of(container)
        side.runner.setup()
        leadership = contend(container, side, audit_service(settings, container))
        log.info("projection duty process started")
        stop.wait()
        leadership.stop()
    finally:
        container.close()
