"""The projection duty: projections, the audit-log keeper, answer delivery and the open-data
package's builds, in one process.

An API process contends for it (``api.runtime.leader``) unless told not to. ``appeals serve
--workers N`` instead runs it in a process of its own beside the N API workers
(``api.serve.duty_process``): every write's projection used to take the GIL of whichever API worker held
the lock, so that worker's requests queued behind it and its connections saw the slowest
answers. Waiters in the API workers hear each batch through PostgreSQL's ``NOTIFY``
(``api.runtime.advances``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from api.runtime.auditkeeper import AuditKeeper
from api.runtime.delivering import DeliveryWorker
from opendata.publisher import Publisher
from projections.runner import Worker

log = logging.getLogger("appeals.duty")


@dataclass
class ProjectionDuty:
    """The background work one process per store does: projections, the audit log, deliveries
    and the open-data package (built once here for every API process)."""

    worker: Worker
    keeper: AuditKeeper
    deliveries: DeliveryWorker
    publisher: Publisher

    def start(self) -> None:
        """Start the threads."""
        self.worker.start()
        self.keeper.start()
        self.deliveries.start()
        self.publisher.start()

    def alive(self) -> bool:
        """Whether every thread still runs."""
        threads = (self.worker, self.keeper, self.deliveries, self.publisher)
        return all(thread.is_alive() for thread in threads)

    def stop(self) -> None:
        """Stop them, the worker last (the others read what it writes, or nothing of it)."""
        self.publisher.stop()
        self.deliveries.stop()
        self.keeper.stop()
        self.worker.stop()
