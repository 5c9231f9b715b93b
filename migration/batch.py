"""One batch of appeals replayed through the application's commands, as plain data in and out.

The importer reads what a batch needs from the store (its appeals' stored events, the
citizen keys it may seal under, the sources and duplicate targets its lines name) and hands
it over as a ``Job``. ``BatchReplay`` replays each appeal's history through a
``StagingLedger`` and answers an ``Outcome``: the accepted appeals' new events already
encoded as stored events, the refusals, and the keys it created. Nothing here reads or
writes the store, so a job can be replayed in a worker process as well as in this one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import CitizenVault
from ledger.values import Actor
from migration.encoding import Row, RowEncoder
from migration.keys import PrefetchedKeys
from migration.record import TYPES, ImportedEvent, Refusal
from migration.replay import Known, RefusedError, replay
from migration.staging import StagingLedger

__all__ = ["BatchReplay", "Group", "Job", "Outcome", "Row", "Staged"]


@dataclass
class Group:
    """Every line of one appeal, in the order its events are applied."""

    appeal_id: UUID
    events: list[ImportedEvent] = field(default_factory=list)
    faults: list[Refusal] = field(default_factory=list)


@dataclass
class Job:
    """A batch of groups and everything their replay may ask of the store."""

    groups: list[Group]
    stored: dict[UUID, list[Row]]
    keys: dict[str, bytes]
    sources: dict[tuple[str, str], str | None]
    """(channel, source id) -> the source's key, for every source the groups name."""
    existing: frozenset[UUID]
    """Appeals named as duplicates that exist outside the batch (stored, or accepted)."""


@dataclass
class Staged:
    """An accepted appeal: its new events, encoded, and the key its texts are sealed under."""

    appeal_id: UUID
    key_id: str | None
    events: list[Row]
    created: bool


@dataclass
class Outcome:
    """What a job's replay found: accepted appeals, refusals, counts, and new keys."""

    staged: list[Staged] = field(default_factory=list)
    refused: list[tuple[Refusal, int]] = field(default_factory=list)
    """Each refused appeal's first refusal and how many of its lines it refuses."""
    already_stored: int = 0
    unchanged: int = 0
    keys: list[tuple[str, bytes]] = field(default_factory=list)


class BatchReplay:
    """Replays jobs with the live ledger's rules (norms, calendar, clock), in memory."""

    def __init__(self, live: AppealsLedger, *, actor: Actor, time_reason: str) -> None:
        self.mapper = live.mapper
        self.encoder = RowEncoder(live.mapper)
        self.keys = PrefetchedKeys()
        self.staging = StagingLedger(live, CitizenVault(self.keys))
        self.actor = actor
        self.time_reason = time_reason
        self._sources: dict[tuple[str, str], str | None] = {}

    def __call__(self, job: Job) -> Outcome:
        """Replay every group of the job; the staging is left empty."""
        self.keys.reset(dict(job.keys))
        self._sources = job.sources
        staging = self.staging
        staging.appeals.clear()
        staging.existing = job.existing
        outcome = Outcome()
        to_domain, encode = self.mapper.to_domain_event, self.encoder.rows
        for group in job.groups:
            if group.faults:
                outcome.refused.append((group.faults[0], len(group.faults)))
                continue
            history: list[Appeal.Event] = [
                to_domain(StoredEvent(group.appeal_id, *row))  # type: ignore[misc]
                for row in job.stored.get(group.appeal_id, ())
            ]
            stored: Appeal | None = project_aggregate(None, history) if history else None
            known: Known = Counter((TYPES[type(e)], e.at) for e in history)
            if stored is not None:
                staging.stage(stored)
            try:
                new = replay(
                    staging,
                    group.events,
                    stored,
                    known,
                    self.actor,
                    self.time_reason,
                    self._source_key,
                )
            except RefusedError as error:
                staging.unstage(group.appeal_id)
                outcome.refused.append((error.refusal, 1))
                continue
            outcome.already_stored += len(group.events) - new
            if not new:
                outcome.unchanged += 1
                continue
            appeal = staging.appeals[group.appeal_id]
            events = encode(appeal.collect_events())
            key_id = appeal.text_key or appeal.citizen_id
            outcome.staged.append(Staged(group.appeal_id, key_id, events, stored is None))
        outcome.keys = self.keys.drain()
        staging.appeals.clear()
        return outcome

    def _source_key(self, channel: str, source_id: str) -> str | None:
        return self._sources.get((channel, source_id))
