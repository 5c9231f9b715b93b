"""The import: groups of one appeal's events in, batches of whole appeals out.

For each batch of appeals the importer reads what the store already holds of them (one
query), replays each history through a ``StagingLedger``, drops refused appeals whole, and
saves the rest in one transaction together with any new citizen keys. Closings that name a
duplicate not stored yet are put off until every other appeal of the file is in.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID

from eventsourcing.application import project_aggregate

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import CitizenVault
from ledger.values import Actor
from migration.keys import PrefetchedKeys
from migration.record import TYPES, EventType, ImportedEvent, Refusal
from migration.replay import Known, RefusedError, SourceKeys, no_sources, replay
from migration.staging import StagingLedger
from migration.summary import Summary

BATCH = 1000
CHANGED_MEANWHILE = "was changed by another writer during the import: run the import again"


@dataclass
class Group:
    """Every line of one appeal, in the order its events are applied."""

    appeal_id: UUID
    events: list[ImportedEvent] = field(default_factory=list)
    faults: list[Refusal] = field(default_factory=list)


class ImportStore(Protocol):
    """What the importer needs of a store."""

    def stored_events(self, ids: Sequence[UUID]) -> dict[UUID, list[Appeal.Event]]:
        """The stored events of those appeals that exist, in version order."""

    def exists(self, appeal_id: UUID) -> bool:
        """Whether an appeal is stored."""

    def keys(self, citizen_ids: Sequence[str]) -> dict[str, bytes]:
        """The stored keys of those citizens that have one."""

    def write(self, appeals: Sequence[Appeal], keys: list[tuple[str, bytes]]) -> list[UUID]:
        """Store the keys, then the appeals' pending events; returns appeals that collided."""


Progress = Callable[[Summary], None]


class Importer:
    """Replays groups through the application's commands and saves them in batches."""

    def __init__(
        self,
        ledger: AppealsLedger,
        store: ImportStore,
        *,
        actor: Actor,
        dry_run: bool = False,
        refused: Callable[[Refusal], None] = lambda refusal: None,
        progress: Progress | None = None,
        batch: int = BATCH,
        time_reason: str = "migration",
        sources: SourceKeys = no_sources,
    ) -> None:
        self.store = store
        self._source_keys: dict[tuple[str, str], str | None] = {}
        self._sources = sources
        self.time_reason = time_reason
        self.actor = actor
        self.dry_run = dry_run
        self.refused = refused
        self.progress = progress
        self.batch = batch
        self.summary = Summary(dry_run=dry_run)
        self.keys = PrefetchedKeys()
        self.staging = StagingLedger(ledger, CitizenVault(self.keys))
        self._deferred: list[Group] = []
        # A dry run writes nothing, so duplicates are checked against what it accepted.
        self._accepted: set[UUID] = set()
        self._started = time.perf_counter()

    def refuse_line(self, refusal: Refusal) -> None:
        """A line refused before grouping (its appeal could not be told)."""
        self.summary.refused_lines += 1
        self._count(refusal)
        self.refused(refusal)

    def run(self, groups: Iterable[Group]) -> Summary:
        """Import every group; returns the summary (also kept on ``self.summary``)."""
        pending: list[Group] = []
        ids: set[UUID] = set()
        for group in groups:
            if group.appeal_id in ids or len(pending) >= self.batch:
                self._flush(pending, final=False)
                pending, ids = [], set()
            pending.append(group)
            ids.add(group.appeal_id)
        self._flush(pending, final=False)
        # Duplicates of duplicates wait for each other: go round while any gets in.
        final = False
        while self._deferred:
            deferred, self._deferred = self._deferred, []
            for start in range(0, len(deferred), self.batch):
                self._flush(deferred[start : start + self.batch], final=final)
            final = len(self._deferred) == len(deferred)
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary

    def _flush(self, batch: list[Group], *, final: bool) -> None:
        if not batch:
            return
        stored = self.store.stored_events([g.appeal_id for g in batch])
        self.keys.reset(self.store.keys(_key_ids(batch, stored)))
        self.staging.appeals.clear()
        accepted: dict[UUID, tuple[Appeal, int, bool]] = {}
        for group in batch:
            applied = self._apply(group, stored.get(group.appeal_id), final=final)
            if applied is not None:
                accepted[group.appeal_id] = applied
        if accepted and not self.dry_run:
            appeals = [appeal for appeal, _, _ in accepted.values()]
            for collided in self.store.write(appeals, self.keys.drain()):
                del accepted[collided]
                self._refuse_appeal(collided, CHANGED_MEANWHILE)
        for appeal_id, (_, new, created) in accepted.items():
            self.summary.events_written += new
            if created:
                self.summary.appeals_new += 1
            else:
                self.summary.appeals_extended += 1
            if self.dry_run:
                self._accepted.add(appeal_id)
        if self.progress is not None:
            self.summary.seconds = time.perf_counter() - self._started
            self.progress(self.summary)

    def _apply(
        self, group: Group, history: list[Appeal.Event] | None, *, final: bool
    ) -> tuple[Appeal, int, bool] | None:
        """The staged appeal with how many events are new and whether it is; None: nothing."""
        if group.faults:
            self._refuse_group(group, group.faults[0], extra=len(group.faults) - 1)
            return None
        if not final and self._waits_for_duplicate(group, history):
            self._deferred.append(group)
            return None
        stored: Appeal | None = project_aggregate(None, history) if history else None
        known: Known = Counter((TYPES[type(e)], e.at) for e in history or ())
        if stored is not None:
            self.staging.stage(stored)
        try:
            new = replay(
                self.staging,
                group.events,
                stored,
                known,
                self.actor,
                self.time_reason,
                self.source_key,
            )
        except RefusedError as error:
            self.staging.unstage(group.appeal_id)
            self._refuse_group(group, error.refusal)
            return None
        self.summary.events_already_stored += len(group.events) - new
        if not new:
            self.summary.appeals_unchanged += 1
            return None
        return self.staging.appeals[group.appeal_id], new, stored is None

    def source_key(self, channel: str, source_id: str) -> str | None:
        """The source's key, asked of the store once per source."""
        wanted = (channel, source_id)
        if wanted not in self._source_keys:
            self._source_keys[wanted] = self._sources(channel, source_id)
        return self._source_keys[wanted]

    def _waits_for_duplicate(self, group: Group, history: list[Appeal.Event] | None) -> bool:
        """Whether a closing names a duplicate that may still come later in the file."""
        for event in group.events:
            target = event.fields.get("duplicate_of") if event.type is EventType.CLOSED else None
            if target is None:
                continue
            try:
                target_id = UUID(target)
            except ValueError:
                return False  # refused by the replay, naming the field
            if target_id in self.staging.appeals or target_id in self._accepted:
                continue
            if not self.store.exists(target_id):
                return True
        return False

    def _refuse_group(self, group: Group, refusal: Refusal, extra: int = 0) -> None:
        self.summary.appeals_refused += 1
        self.summary.refused_lines += 1 + extra
        self._count(refusal)
        self.refused(refusal)

    def _refuse_appeal(self, appeal_id: UUID, reason: str) -> None:
        self.summary.appeals_refused += 1
        self.summary.refused_lines += 1
        refusal = Refusal(0, str(appeal_id), "", reason)
        self._count(refusal)
        self.refused(refusal)

    def _count(self, refusal: Refusal) -> None:
        by_field = self.summary.refused_by_field
        by_field[refusal.field or "line"] = by_field.get(refusal.field or "line", 0) + 1


def _key_ids(batch: Sequence[Group], stored: dict[UUID, list[Appeal.Event]]) -> list[str]:
    """The citizen keys the batch may seal under: stored appeals' and named or derived ones."""
    ids: set[str] = set()
    for group in batch:
        for first in stored.get(group.appeal_id, ())[:1]:
            key = getattr(first, "text_key", None) or getattr(first, "citizen_id", None)
            if key:
                ids.add(key)
        for event in group.events:
            if event.type is EventType.RECEIVED:
                ids.add(event.fields.get("citizen_id") or f"c-{group.appeal_id.hex[:16]}")
    return sorted(ids)
