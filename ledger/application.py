"""AppealsLedger: one method per command, and the queries an auditor replays history with.

The store is chosen by the ``env`` mapping the composition root passes in (eventsourcing's
``PERSISTENCE_MODULE`` and friends); this module never reads the process environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording, Transcoder
from eventsourcing.utils import Environment

from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from ledger.domain import Appeal, appeal_id_for
from ledger.errors import CitizenNotFoundError, ConflictError, NotFoundError, ValidationError
from ledger.privacy import Citizen, CitizenVault, MemoryKeyStore
from ledger.transcoder import FastJSONTranscoder
from ledger.values import (
    EARLIEST_BUSINESS_TIME,
    SYSTEM,
    Actor,
    Channel,
    Outcome,
    clean_name,
    clean_text,
    parse_enum,
    require_aware,
)

CLOCK_SKEW = timedelta(minutes=5)


class EventPositions(Protocol):
    """Maps an appeal's versions to their positions in the store's notification log."""

    def positions(self, appeal_id: UUID) -> dict[int, int]: ...


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a command changed: the appeal, its new version and the last log position."""

    appeal_id: UUID
    version: int
    position: int | None
    created: bool = True
    events: tuple[tuple[int, Appeal.Event], ...] = ()
    """The events this command recorded, each with its log position."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One stored event of an appeal with its log position."""

    position: int | None
    event: Appeal.Event


class AppealsLedger(Application[UUID]):
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
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        earliest: datetime = EARLIEST_BUSINESS_TIME,
    ) -> None:
        self.norms = norms or Norms()
        self.earliest = require_aware(earliest, "earliest")
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

    def receive_appeal(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        body: str,
        citizen: Citizen | None = None,
        citizen_ref: str | None = None,
        category: str | None = None,
        location: str | None = None,
        actor: Actor = SYSTEM,
        at: datetime | None = None,
    ) -> Recorded:
        """Record a received message; a re-delivery returns the existing appeal unchanged."""
        appeal = self.new_appeal(
            channel=channel,
            external_id=external_id,
            text=text,
            body=body,
            citizen=citizen,
            citizen_ref=citizen_ref,
            category=category,
            location=location,
            actor=actor,
            at=at,
        )
        try:
            # Optimistic: a new message is the common case, so try the insert first; the
            # store's uniqueness refuses a re-delivery, which then reads what is stored.
            return self._save(appeal, expected_version=None)
        except ConflictError:
            # Received before (perhaps by another writer a moment ago): that is the appeal.
            current = self.get_appeal(appeal.id)
            return Recorded(current.id, current.version, None, created=False)

    def new_appeal(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        body: str,
        citizen: Citizen | None = None,
        citizen_ref: str | None = None,
        category: str | None = None,
        location: str | None = None,
        actor: Actor = SYSTEM,
        at: datetime | None = None,
    ) -> Appeal:
        """Validate intake and build an unsaved appeal (batch imports save many at once)."""
        kind = parse_enum(Channel, channel, "channel")
        external = clean_name(external_id, "externalId")
        appeal_id = appeal_id_for(kind.value, external)
        clean = clean_text(text, "text")
        citizen_id = sealed = None
        sealed_text = clean
        if citizen is not None and not citizen.is_anonymous:
            citizen_id = clean_name(citizen_ref or f"c-{appeal_id.hex[:16]}", "citizenId")
            # The text is the citizen's too (people write their address and phone into it),
            # so it is sealed under their key; an anonymous appeal's stays in clear.
            sealed, sealed_text = self.vault.seal_intake(citizen_id, citizen, clean)
        return Appeal(
            channel=kind.value,
            external_id=external,
            text=sealed_text,
            text_key=citizen_id,
            body=clean_name(body, "body"),
            citizen_id=citizen_id,
            citizen=sealed,
            category=clean_name(category, "category") if category is not None else None,
            location=clean_name(location, "location") if location is not None else None,
            actor_id=actor.id,
            actor_role=actor.role.value,
            at=self._business_time(at, "receivedAt"),
        )

    def register_appeal(
        self,
        appeal_id: UUID,
        *,
        number: str,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Register a received appeal under its registration number."""
        return self._command(
            appeal_id,
            expected_version,
            "register",
            number=clean_name(number, "number"),
            actor=actor,
            at=self._business_time(at),
        )

    def categorize_appeal(
        self,
        appeal_id: UUID,
        *,
        category: str,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Set the appeal's category."""
        return self._command(
            appeal_id,
            expected_version,
            "categorize",
            category=clean_name(category, "category"),
            actor=actor,
            at=self._business_time(at),
        )

    def assign_appeal(
        self,
        appeal_id: UUID,
        *,
        department: str,
        assignee: str,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Give the appeal to a department and an assignee."""
        return self._command(
            appeal_id,
            expected_version,
            "assign",
            department=clean_name(department, "department"),
            assignee=clean_name(assignee, "assignee"),
            actor=actor,
            at=self._business_time(at),
        )

    def forward_appeal(
        self,
        appeal_id: UUID,
        *,
        to_body: str,
        reason: str,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Forward the appeal to the competent body."""
        return self._command(
            appeal_id,
            expected_version,
            "forward",
            to_body=clean_name(to_body, "toBody"),
            reason=clean_text(reason, "reason"),
            actor=actor,
            at=self._business_time(at),
        )

    def extend_appeal_deadline(
        self,
        appeal_id: UUID,
        *,
        days: int,
        reason: str,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Extend the answer deadline once."""
        return self._command(
            appeal_id,
            expected_version,
            "extend_deadline",
            days=days,
            reason=clean_text(reason, "reason"),
            actor=actor,
            at=self._business_time(at),
            norms=self.norms,
            calendar=self.calendar,
        )

    def answer_appeal(
        self,
        appeal_id: UUID,
        *,
        text: str,
        final: bool = True,
        public: bool = False,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Answer the citizen, interim or final; the text is sealed like the appeal's."""
        clean = clean_text(text, "text")
        when = self._business_time(at)
        appeal = self._current(appeal_id, expected_version)
        # Answers quote the message, so they are sealed under the same key and erased with it.
        text_key = self.text_key_of(appeal)
        appeal.answer(
            text=clean if text_key is None else self.vault.seal_text(text_key, clean),
            text_key=text_key,
            final=final,
            public=public,
            actor=actor,
            at=when,
        )
        return self._save(appeal, expected_version=expected_version)

    def add_appeal_note(
        self,
        appeal_id: UUID,
        *,
        text: str,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Keep an internal note; sealed like answers, since it may name the citizen."""
        clean = clean_text(text, "text")
        when = self._business_time(at)
        appeal = self._current(appeal_id, expected_version)
        text_key = self.text_key_of(appeal)
        appeal.add_note(
            text=clean if text_key is None else self.vault.seal_text(text_key, clean),
            text_key=text_key,
            actor=actor,
            at=when,
        )
        return self._save(appeal, expected_version=expected_version)

    def close_appeal(
        self,
        appeal_id: UUID,
        *,
        outcome: str,
        duplicate_of: UUID | None = None,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Close the appeal with an outcome; a duplicate must point to an existing appeal."""
        if duplicate_of is not None and self.find_appeal(duplicate_of) is None:
            raise ValidationError(field="duplicateOf", reason="names no existing appeal")
        return self._command(
            appeal_id,
            expected_version,
            "close",
            outcome=parse_enum(Outcome, outcome, "outcome"),
            duplicate_of=duplicate_of,
            actor=actor,
            at=self._business_time(at),
        )

    def reopen_appeal(
        self,
        appeal_id: UUID,
        *,
        reason: str,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Reopen a closed appeal."""
        return self._command(
            appeal_id,
            expected_version,
            "reopen",
            reason=clean_text(reason, "reason"),
            actor=actor,
            at=self._business_time(at),
        )

    def rate_appeal(
        self,
        appeal_id: UUID,
        *,
        score: int,
        actor: Actor,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record the citizen's rating of the answer."""
        return self._command(
            appeal_id,
            expected_version,
            "rate",
            score=score,
            actor=actor,
            at=self._business_time(at),
        )

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
            self._command(
                appeal_id,
                None,
                "erase_personal_data",
                legal_basis=basis,
                actor=actor,
                at=self.clock(),
            )
            for appeal_id in appeal_ids
            if not self.get_appeal(appeal_id).erased
        ]

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

    # --- queries --------------------------------------------------------------------

    def get_appeal(self, appeal_id: UUID) -> Appeal:
        """The current state of an appeal."""
        try:
            appeal: Appeal = self.repository.get(appeal_id)
        except AggregateNotFoundError:
            raise NotFoundError(appeal_id=appeal_id) from None
        return appeal

    def get_appeal_as_of(self, appeal_id: UUID, instant: datetime) -> Appeal:
        """The appeal as the ledger knew it at ``instant`` (recorded time)."""
        require_aware(instant, "at")
        known = [e for e in self._events_of(appeal_id) if e.timestamp <= instant]
        if not known:
            raise NotFoundError(appeal_id=appeal_id)
        appeal: Appeal = self.repository.get(appeal_id, version=known[-1].originator_version)
        return appeal

    def history(self, appeal_id: UUID) -> list[HistoryEntry]:
        """Every stored event of the appeal in version order, with log positions."""
        events = self._events_of(appeal_id)
        if not events:
            raise NotFoundError(appeal_id=appeal_id)
        where = self.positions.positions(appeal_id) if self.positions else {}
        return [HistoryEntry(where.get(e.originator_version), e) for e in events]

    def _events_of(self, appeal_id: UUID) -> list[Appeal.Event]:
        return cast("list[Appeal.Event]", list(self.events.get(appeal_id)))

    def open_citizen(self, appeal: Appeal) -> Citizen | None:
        """The citizen's data in clear, or ``None`` when anonymous or erased."""
        if appeal.citizen_id is None or appeal.citizen is None:
            return None
        return self.vault.open(appeal.citizen_id, appeal.citizen)

    def open_text(self, appeal: Appeal) -> str | None:
        """The appeal's message in clear, or ``None`` once erased."""
        return self.open_texts([(appeal.text, appeal.text_key)])[0]

    def open_texts(self, texts: Sequence[tuple[str, str | None]]) -> list[str | None]:
        """Each ``(text, text_key)`` in clear, or ``None`` where its key was destroyed.

        A text without a key was stored in clear (before texts were sealed) and is returned
        as it is. Texts are grouped by key, and the keys fetched together where the key
        store can (one query per 500 keys).
        """
        opened: list[str | None] = [text if key is None else None for text, key in texts]
        by_key: dict[str, list[int]] = {}
        for index, (_, key) in enumerate(texts):
            if key is not None:
                by_key.setdefault(key, []).append(index)
        grouped = self.vault.open_grouped(
            {key: [texts[i][0] for i in indexes] for key, indexes in by_key.items()}
        )
        for key, indexes in by_key.items():
            for index, text in zip(indexes, grouped[key], strict=True):
                opened[index] = text
        return opened

    @staticmethod
    def text_key_of(appeal: Appeal) -> str | None:
        """The key an appeal's new texts are sealed under; ``None``: anonymous, in clear."""
        return appeal.text_key or appeal.citizen_id

    # --- plumbing -------------------------------------------------------------------

    def _business_time(self, at: datetime | None, field: str = "at") -> datetime:
        """A business time given by the caller, or now; refused before the floor or ahead."""
        if at is None:
            return self.clock()
        require_aware(at, field)
        if at < self.earliest:
            reason = f"is before {self.earliest.isoformat()}, the earliest business time accepted"
            raise ValidationError(field=field, reason=reason)
        if at > self.clock() + CLOCK_SKEW:
            raise ValidationError(field=field, reason="is in the future")
        return at.astimezone(UTC)

    def find_appeal(self, appeal_id: UUID) -> Appeal | None:
        """The appeal, or ``None`` when there is none with that id."""
        try:
            return self.get_appeal(appeal_id)
        except NotFoundError:
            return None

    def _command(
        self, appeal_id: UUID, expected_version: int | None, method: str, **kwargs: Any
    ) -> Recorded:
        appeal = self._current(appeal_id, expected_version)
        getattr(appeal, method)(**kwargs)
        return self._save(appeal, expected_version=expected_version)

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
