"""AppealsLedger: the write side's application service, and where every command is executed.

The store is chosen by the ``env`` mapping the composition root passes in (eventsourcing's
``PERSISTENCE_MODULE`` and friends); this module never reads the process environment.

This module receives appeals, executes every typed command of ``ledger.commands``, and
saves. The rest of the ledger is one concept per module: ``CommandMethods`` (a keyword
method per command), ``Erasure`` (152-ФЗ), ``Batches`` (imports) and ``Reading`` (history
and texts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Unpack, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording, Transcoder
from eventsourcing.utils import Environment

from ledger.batches import Batches
from ledger.business_time import BACKDATING, CLOCK_SKEW, BusinessClock, now
from ledger.calendar import ProductionCalendar
from ledger.command_methods import CommandMethods
from ledger.commands import AppealCommand, When
from ledger.deadlines import Norms
from ledger.delivery import DeliveryOutcome
from ledger.domain import Appeal, appeal_id_for
from ledger.erasure import Erasure
from ledger.errors import ConflictError, NotFoundError
from ledger.intake import Intake, check_intake
from ledger.privacy import CitizenVault, MemoryKeyStore
from ledger.reading import Reading
from ledger.records import EventPositions, HistoryEntry, Recorded
from ledger.transcoder import FastJSONTranscoder
from ledger.values import (
    EARLIEST_BUSINESS_TIME,
    SYSTEM,
    Channel,
    clean_name,
    clean_text,
    parse_enum,
)

__all__ = [
    "CLOCK_SKEW",
    "AppealsLedger",
    "EventPositions",
    "HistoryEntry",
    "Intake",
    "Recorded",
]


def _name(value: str | None, field: str) -> str | None:
    """An optional name of the intake, cleaned when given."""
    return clean_name(value, field) if value is not None else None


class AppealsLedger(CommandMethods, Erasure, Batches, Reading, Application[UUID]):
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

    # --- receiving -----------------------------------------------------------------

    def receive_appeal(self, **intake: Unpack[Intake]) -> Recorded:
        """Record a received message; a re-delivery returns the existing appeal unchanged."""
        appeal = self.new_appeal(**intake)
        try:
            # Optimistic: a new message is the common case, so try the insert first; the
            # store's uniqueness refuses a re-delivery, which then reads what is stored.
            return self._save(appeal, expected_version=None)
        except ConflictError:
            # Received before (perhaps by another writer a moment ago): that is the appeal.
            current = self.get_appeal(appeal.id)
            return Recorded(current.id, current.version, None, created=False)

    def new_appeal(self, **intake: Unpack[Intake]) -> Appeal:
        """Validate intake and build an unsaved appeal (batch imports save many at once).

        ``at`` is the source platform's time of the message (default now); ``time_reason``
        says why it is stated otherwise (a migration), and is recorded.
        """
        check_intake(intake)
        kind = parse_enum(Channel, intake["channel"], "channel")
        external = clean_name(intake["external_id"], "externalId")
        appeal_id = appeal_id_for(kind.value, external)
        clean = clean_text(intake["text"], "text")
        citizen = intake.get("citizen")
        citizen_id = sealed = None
        sealed_text = clean
        if citizen is not None and not citizen.is_anonymous:
            reference = intake.get("citizen_ref") or f"c-{appeal_id.hex[:16]}"
            citizen_id = clean_name(reference, "citizenId")
            # The text is the citizen's too (people write their address and phone into it),
            # so it is sealed under their key; an anonymous appeal's stays in clear.
            sealed, sealed_text = self.vault.seal_intake(citizen_id, citizen, clean)
        actor = intake.get("actor", SYSTEM)
        time_reason = intake.get("time_reason")
        return Appeal(
            channel=kind.value,
            external_id=external,
            text=sealed_text,
            text_key=citizen_id,
            body=clean_name(intake["body"], "body"),
            citizen_id=citizen_id,
            citizen=sealed,
            category=_name(intake.get("category"), "category"),
            location=_name(intake.get("location"), "location"),
            actor_id=actor.id,
            actor_role=actor.role.value,
            at=self.business.time_of(intake.get("at"), "receivedAt"),
            time_reason=clean_text(time_reason, "timeReason") if time_reason is not None else None,
            source=_name(intake.get("source"), "source"),
            department=_name(intake.get("department"), "department"),
        )

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

    def appeal_exists(self, appeal_id: UUID) -> bool:
        """Whether an appeal with that id is stored (a duplicate must name one)."""
        return self.find_appeal(appeal_id) is not None

    def record_delivery(self, appeal_id: UUID, outcome: DeliveryOutcome) -> Recorded:
        """Record the outcome of one attempt to deliver a public answer to its channel."""
        appeal = self._current(appeal_id, None)
        appeal.record_delivery(outcome, actor=SYSTEM, at=self.clock())
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
