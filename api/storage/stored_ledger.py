"""The ledger on a recorder built before it, so its adapters come to its constructor.

The key store and the event positions run SQL on the recorder's datastore. The library
builds the recorder inside ``Application.__init__``; building the factory and the recorder
first, through the library's own ``construct_*`` hooks, lets the composition root hand the
ledger a finished vault and positions instead of assigning them afterwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory
from eventsourcing.utils import Environment

from ledger.application import AppealsLedger, EventPositions
from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from ledger.privacy import CitizenVault


def infrastructure(env: dict[str, str]) -> InfrastructureFactory:
    """The library's factory for the ledger's environment (the datastore opens here)."""
    return InfrastructureFactory.construct(
        Environment(AppealsLedger.name, {**AppealsLedger.env, **env})
    )


class StoredLedger(AppealsLedger):
    """An ``AppealsLedger`` whose factory and recorder were built by the composition root."""

    def __init__(
        self,
        factory: InfrastructureFactory,
        recorder: ApplicationRecorder,
        *,
        norms: Norms,
        calendar: ProductionCalendar,
        vault: CitizenVault,
        positions: EventPositions | None,
        earliest: datetime,
        clock_skew: timedelta,
        owns_store: bool = True,
    ) -> None:
        self._given_factory = factory
        self._given_recorder = recorder
        self._owns_store = owns_store
        super().__init__(
            dict(factory.env),
            norms=norms,
            calendar=calendar,
            vault=vault,
            positions=positions,
            earliest=earliest,
            clock_skew=clock_skew,
        )

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        return self._given_factory

    def construct_recorder(self) -> ApplicationRecorder:
        return self._given_recorder

    def close(self) -> None:
        """Release the store, unless it is borrowed from another ledger (``owns_store``)."""
        if self._owns_store:
            super().close()
        else:
            self.closing.set()
