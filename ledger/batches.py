"""Saving many new appeals in one transaction (imports and the demo), skipping stored ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording

from ledger.domain import Appeal

__all__ = ["Batches"]


class Batches:
    """The batch half of ``AppealsLedger``: appeals built by ``new_appeal``, saved at once."""

    if TYPE_CHECKING:

        def find_appeal(self, appeal_id: UUID) -> Appeal | None: ...

        def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]: ...

        def _notify(self, recordings: list[Recording[UUID]]) -> None: ...

    def record_batch(self, appeals: Sequence[Appeal]) -> int:
        """Save new appeals in one transaction; ones already stored are skipped (re-runs).

        Returns how many were new. The events are taken from the aggregates first, so a
        batch that collides with stored appeals can be saved again without them.
        """
        pending = {appeal.id: appeal.collect_events() for appeal in appeals}
        try:
            self._record_events([e for events in pending.values() for e in events])
        except IntegrityError:
            fresh = [appeal_id for appeal_id in pending if self.find_appeal(appeal_id) is None]
            self._record_events([e for appeal_id in fresh for e in pending[appeal_id]])
            return len(fresh)
        return len(pending)

    def _record_events(self, events: list[Any]) -> None:
        if not events:
            return
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        processing.events.extend(events)
        self._notify(self._record(processing))
