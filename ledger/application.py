"""AppealsLedger: the write side's application service, and where every command is executed.

The store is chosen by the ``env`` mapping the composition root passes in (eventsourcing's
``PERSISTENCE_MODULE`` and friends); this module never reads the process environment.

The ledger is assembled from one concept per module: ``Intake`` (receiving),
``CommandMethods`` (the typed commands of ``ledger.commands``), ``Reading`` (history and
texts); this module holds the plumbing they share: executing a command, saving, batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording, Transcoder
from eventsourcing.utils import Environment

from ledger.business_time import BACKDATING, CLOCK_SKEW, BusinessClock, now
from ledger.calendar import ProductionCalendar
from ledger.command_methods import CommandMethods
from ledger.commands import AppealCommand, When
from ledger.deadlines import Norms
from ledger.domain import Appeal
from ledger.errors import CitizenNotFoundError, ConflictError, NotFoundError
from ledger.intake import Intake
from ledger.privacy import CitizenVault, MemoryKeyStore
from ledger.reading import Reading
from ledger.records import EventPositions, HistoryEntry, Recorded
from ledger.transcoder import FastJSONTranscoder
from ledger.values import EARLIEST_BUSINESS_TIME, SYSTEM, Actor, clean_text

__all__ = ["CLOCK_SKEW", "AppealsLedger", "EventPositions", "HistoryEntry", "Recorded"]


class AppealsLedger(Intake, CommandMethods, Reading, Application[UUID]):
    """The write side of the system of record for citizen appeals."""

    name = "appeals"

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        norms: Norms | None = None,
        calendar: ProductionCalendar | None = None,
        vault: CitizenVault | None = None,
        positions: EventPositions | None = None,
        clock: Callable[[], datetime] = now,
        earliest: datetime = EARLIEST_BUSINESS_TIME,
        clock_skew: timedelta = BACKDATING,
    ) -> None:
        self.norms = norms or Norms()
        self.business = BusinessClock(clock, earliest, backdating=clock_skew)
        self.earliest = self.business.earliest
        self.calendar = calendar or ProductionCalendar()
        self.vault = vault or CitizenVault(MemoryKeyStore())
        self.positions = positions
        self.clock = clock
        super().__init__(env=dict(env))

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        # Unlike the library default, ignore os.environ: settings are read in one place.
        return Environment(name, {**type(self).env, **(env or {})})

    def construct_transcoder(self) -> Transcoder:
        # The library's format, encoded with orjson (see ledger.transcoder).
        transcoder = FastJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    # --- commands -------------------------------------------------------------------

    def execute(
        self, command: AppealCommand, *, check: Callable[[Appeal], None] | None = None
    ) -> Recorded:
        """Apply ``command`` to its appeal and save what it recorded.

        The time it counts at is the ledger's own unless ``time_reason`` is stated (see
        ``ledger.business_time``). ``check`` sees the appeal as it is before the command (the
        API's scope check) and may refuse by raising; the appeal is read once for both.
        """
        when = When(*self.business.staff_time(command.at, command.time_reason))
        appeal = self._current(command.appeal_id, command.expected_version)
        if check is not None:
            check(appeal)
        command.apply(appeal, when, self)
        return self._save(appeal, expected_version=command.expected_version)

    def erase_citizen_data(
        self, citizen_id: str, appeal_ids: Iterable[UUID], *, legal_basis: str, actor: Actor
    ) -> list[Recorded]:
        """Destroy the citizen's key, then record the erasure on each of their appeals.

        Their name, contact and address, their appeals' texts and the answers to them were
        sealed under that key, so all of it reads as erased from now on. A citizen with
        neither a key nor an appeal is unknown: ``CitizenNotFoundError``.
        """
        basis = clean_text(legal_basis, "legalBasis")
        appeal_ids = list(appeal_ids)
        if not self.vault.erase(citizen_id) and not appeal_ids:
            raise CitizenNotFoundError(citizen_id=citizen_id)
        return [
            self._erase(appeal_id, basis, actor)
            for appeal_id in appeal_ids
            if not self.get_appeal(appeal_id).erased
        ]

    def _erase(self, appeal_id: UUID, legal_basis: str, actor: Actor) -> Recorded:
        appeal = self._current(appeal_id, None)
        appeal.erase_personal_data(legal_basis=legal_basis, actor=actor, at=self.clock())
        return self._save(appeal, expected_version=None)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save appeals atomically; the fast path skips the library's Protocol checks.

        ``isinstance`` against a runtime-checkable Protocol costs ~40 µs on Python 3.11 and
        the library does two per saved aggregate, a fifth of an append. For our own
        aggregates (no snapshotting configured) the outcome is identical.
        """
        if kwargs or not objs or not all(type(obj) is Appeal for obj in objs):
            return super().save(*objs, **kwargs)
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for appeal in objs:
            processing.events.extend(appeal.collect_events())
            processing.aggregates[appeal.id] = appeal
        recordings = self._record(processing)
        self._notify(recordings)
        return recordings

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

    # --- reading and saving ----------------------------------------------------------

    def get_appeal(self, appeal_id: UUID) -> Appeal:
        """The current state of an appeal."""
        try:
            appeal: Appeal = self.repository.get(appeal_id)
        except AggregateNotFoundError:
            raise NotFoundError(appeal_id=appeal_id) from None
        return appeal

    def find_appeal(self, appeal_id: UUID) -> Appeal | None:
        """The appeal, or ``None`` when there is none with that id."""
        try:
            return self.get_appeal(appeal_id)
        except NotFoundError:
            return None

    def record_delivery(
        self,
        appeal_id: UUID,
        *,
        answer: int,
        attempt: int,
        platform_id: str | None = None,
        error: str | None = None,
        final: bool = False,
    ) -> Recorded:
        """Record the outcome of one attempt to deliver a public answer to its channel."""
        appeal = self._current(appeal_id, None)
        appeal.record_delivery(
            answer=answer,
            attempt=attempt,
            platform_id=platform_id,
            error=error,
            final=final,
            actor=SYSTEM,
            at=self.clock(),
        )
        return self._save(appeal, expected_version=None)

    def _current(self, appeal_id: UUID, expected_version: int | None) -> Appeal:
        appeal = self.get_appeal(appeal_id)
        if expected_version is not None and appeal.version != expected_version:
            raise ConflictError(
                appeal_id=appeal_id,
                expected_version=expected_version,
                actual_version=appeal.version,
            )
        return appeal

    def _save(self, appeal: Appeal, *, expected_version: int | None) -> Recorded:
        try:
            recordings = self.save(appeal)
        except IntegrityError:
            raise ConflictError(
                appeal_id=appeal.id, expected_version=expected_version, actual_version=None
            ) from None
        events = tuple((r.notification.id, cast(Appeal.Event, r.domain_event)) for r in recordings)
        return Recorded(appeal.id, appeal.version, events[-1][0], events=events)
