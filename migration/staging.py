"""The application's own command methods, run over appeals held in memory.

``StagingLedger`` is an ``AppealsLedger`` whose repository is a dict of appeals the replay
staged (rebuilt from the stored events its job carries, or created by an imported receipt)
and whose ``save`` only keeps the appeal: its new events stay pending on it until the
importer writes a whole batch of appeals in one transaction. It never reads the store (a
worker process must not use the connections it inherited): whether a duplicate's target
exists is answered from the batch and from what the importer found stored. Every command an import replays therefore runs exactly the
code a live command runs (input cleaning, business-time checks, sealing, the aggregate's
rules), with no round trip per event.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, Recording

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.errors import NotFoundError
from ledger.privacy import CitizenVault
from ledger.records import Recorded

# ``_save`` reads a position from the last recording; staged events have none yet.
_UNSAVED = Notification(originator_id=UUID(int=0), originator_version=0, topic="", state=b"", id=0)


class StagingLedger(AppealsLedger):
    """Commands over staged appeals; saving stages, the importer writes."""

    def __init__(self, live: AppealsLedger, vault: CitizenVault) -> None:
        super().__init__(
            {"PERSISTENCE_MODULE": "eventsourcing.popo"},
            norms=live.norms,
            calendar=live.calendar,
            vault=vault,
            clock=live.clock,
            earliest=live.earliest,
        )
        self.appeals: dict[UUID, Appeal] = {}
        self.existing: frozenset[UUID] = frozenset()

    def stage(self, appeal: Appeal) -> None:
        """Hold an appeal (as stored) for the commands that follow."""
        self.appeals[appeal.id] = appeal

    def unstage(self, appeal_id: UUID) -> Appeal | None:
        """Forget an appeal (refused, or saved) and return it."""
        return self.appeals.pop(appeal_id, None)

    def get_appeal(self, appeal_id: UUID) -> Appeal:
        appeal = self.appeals.get(appeal_id)
        if appeal is None:
            raise NotFoundError(appeal_id=appeal_id)
        return appeal

    def find_appeal(self, appeal_id: UUID) -> Appeal | None:
        return self.appeals.get(appeal_id)

    def appeal_exists(self, appeal_id: UUID) -> bool:
        # A duplicate may point to an appeal staged now, or one the importer found stored
        # (or accepted) before the batch: the store itself is not read here.
        return appeal_id in self.appeals or appeal_id in self.existing

    def _save(self, appeal: Appeal, *, expected_version: int | None) -> Recorded:
        """Stage the appeal; no ``Recording`` per event (the importer reads none of it)."""
        self.appeals[appeal.id] = appeal
        return Recorded(appeal.id, appeal.version, None)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Stage the appeals; their events stay pending for the batch write."""
        for appeal in objs:
            self.appeals[appeal.id] = appeal
        last = objs[-1].pending_events[-1]
        return [Recording(last, _UNSAVED)]
