"""The import: groups of one appeal's events in, batches of whole appeals out.

For each batch of appeals the importer reads what the store already holds of them (one
query each for events and citizen keys), resolves the sources and duplicate targets its
lines name, and hands it as a ``Job`` to the replayers (worker processes, see
``migration.workers``). Outcomes come back in order; refused appeals are dropped whole and
the rest saved in one transaction together with any new citizen keys, while later batches
replay. Closings that name a duplicate not stored yet are put off until every other appeal
of the file is in.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.application import AppealsLedger
from ledger.values import Actor
from migration.batch import BatchReplay, Group, Job, Outcome, Row, Staged
from migration.collection import fewer_collections
from migration.record import EventType, Refusal
from migration.replay import SourceKeys, named_sources, no_sources
from migration.summary import Summary
from migration.workers import Replayers

__all__ = ["BATCH", "Group", "ImportStore", "Importer", "Progress"]

BATCH = 1000
CHANGED_MEANWHILE = "was changed by another writer during the import: run the import again"


class ImportStore(Protocol):
    """What the importer needs of a store."""

    def stored_events(self, ids: Sequence[UUID]) -> dict[UUID, list[Row]]:
        """The stored events of those appeals that exist, in version order."""

    def exists(self, appeal_id: UUID) -> bool:
        """Whether an appeal is stored."""

    def keys(self, citizen_ids: Sequence[str]) -> dict[str, bytes]:
        """The stored keys of those citizens that have one."""

    def write(self, appeals: Sequence[Staged], keys: list[tuple[str, bytes]]) -> list[UUID]:
        """Store the keys, then the appeals' new events; returns appeals that collided."""


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
        workers: int = 1,
    ) -> None:
        self.ledger = ledger
        self.store = store
        self._source_keys: dict[tuple[str, str], str | None] = {}
        self._sources = sources
        self.time_reason = time_reason
        self.actor = actor
        self.dry_run = dry_run
        self.refused = refused
        self.progress = progress
        self.batch = batch
        self.workers = workers
        self.summary = Summary(dry_run=dry_run)
        self._deferred: list[Group] = []
        # A dry run writes nothing, so duplicates are checked against what it accepted.
        self._accepted: set[UUID] = set()
        # Appeals, and citizens whose key may be new, of the jobs in flight: a job naming
        # one waits until they are written, as if the batches ran one after another.
        self._flying: dict[int, tuple[set[UUID], set[str]]] = {}
        self._jobs = 0
        self._started = time.perf_counter()

    def refuse_line(self, refusal: Refusal) -> None:
        """A line refused before grouping (its appeal could not be told)."""
        self.summary.refused_lines += 1
        self._count(refusal)
        self.refused(refusal)

    def run(self, groups: Iterable[Group]) -> Summary:
        """Import every group; returns the summary (also kept on ``self.summary``)."""
        with fewer_collections(), Replayers(self._replay, self.workers) as replayers:
            self._feed(replayers, groups, final=False)
            # Duplicates of duplicates wait for each other: go round while any gets in.
            final = False
            while self._deferred:
                deferred, self._deferred = self._deferred, []
                self._feed(replayers, deferred, final=final)
                final = len(self._deferred) == len(deferred)
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary

    def _feed(self, replayers: Replayers, groups: Iterable[Group], *, final: bool) -> None:
        """Submit the groups in batches; all is written when it returns.

        A group whose appeal is in the batch being built or in a job in flight (a row
        repeated in the file), or whose citizen key a job in flight may be creating, is
        put back until those are written, as if the batches ran one after another.
        """
        source, again = iter(groups), deque[Group]()
        pending: list[Group] = []
        ids: set[UUID] = set()
        later: list[Group] = []
        while True:
            group = again.popleft() if again else next(source, None)
            if group is None:
                self._submit(replayers, pending, final=final)
                pending, ids = [], set()
                self._drain(replayers)
                if not later:
                    return
                again.extend(later)
                later = []
                continue
            if group.appeal_id in ids or self._flying_with(group):
                later.append(group)
                if len(later) >= self.batch:  # bounded: write what is in flight, go on
                    self._submit(replayers, pending, final=final)
                    pending, ids = [], set()
                    self._drain(replayers)
                    again.extend(later)
                    later = []
                continue
            pending.append(group)
            ids.add(group.appeal_id)
            if len(pending) >= self.batch:
                self._submit(replayers, pending, final=final)
                pending, ids = [], set()

    def _replay(self) -> BatchReplay:
        return BatchReplay(self.ledger, actor=self.actor, time_reason=self.time_reason)

    def _submit(self, replayers: Replayers, batch: list[Group], *, final: bool) -> None:
        """Read what the batch needs and hand it to a replayer; take back what is done."""
        if not batch:
            return
        while replayers.full:
            self._finish(*replayers.take())
        ids = {group.appeal_id for group in batch}
        stored = self.store.stored_events(list(ids))
        wanted = _key_ids(batch, stored, self.ledger.mapper.to_domain_event)
        keys = self.store.keys(wanted)
        existing: set[UUID] = set()
        groups: list[Group] = []
        staged_first: set[UUID] = set()
        for group in batch:
            # In a final round every group replays, but its stored duplicates still count.
            if not self._waits(group, staged_first, existing) or final:
                groups.append(group)
                staged_first.add(group.appeal_id)
            else:
                self._deferred.append(group)
        job = Job(groups, stored, keys, self._named(groups), frozenset(existing))
        self._jobs += 1
        self._flying[self._jobs] = ({g.appeal_id for g in groups}, set(wanted) - keys.keys())
        replayers.submit(self._jobs, job)

    def _flying_with(self, group: Group) -> bool:
        """Whether a job in flight holds this appeal, or may create a key it seals under."""
        if not self._flying:
            return False
        keys = {
            e.fields.get("citizen_id") or f"c-{group.appeal_id.hex[:16]}"
            for e in group.events
            if e.type is EventType.RECEIVED
        }
        return any(
            group.appeal_id in appeals or not keys.isdisjoint(new)
            for appeals, new in self._flying.values()
        )

    def _drain(self, replayers: Replayers) -> None:
        while replayers.busy:
            self._finish(*replayers.take())

    def _finish(self, tag: int, outcome: Outcome) -> None:
        """Write what a job accepted and count it; report its refusals."""
        del self._flying[tag]
        for refusal, lines in outcome.refused:
            self._refuse_group(refusal, lines)
        self.summary.events_already_stored += outcome.already_stored
        self.summary.appeals_unchanged += outcome.unchanged
        staged = {appeal.appeal_id: appeal for appeal in outcome.staged}
        if staged and not self.dry_run:
            for collided in self.store.write(list(staged.values()), outcome.keys):
                del staged[collided]
                self._refuse_group(Refusal(0, str(collided), "", CHANGED_MEANWHILE), 1)
        for appeal in staged.values():
            self.summary.events_written += len(appeal.events)
            if appeal.created:
                self.summary.appeals_new += 1
            else:
                self.summary.appeals_extended += 1
            if self.dry_run:
                self._accepted.add(appeal.appeal_id)
        if self.progress is not None:
            self.summary.seconds = time.perf_counter() - self._started
            self.progress(self.summary)

    def source_key(self, channel: str, source_id: str) -> str | None:
        """The source's key, asked of the store once per source."""
        wanted = (channel, source_id)
        if wanted not in self._source_keys:
            self._source_keys[wanted] = self._sources(channel, source_id)
        return self._source_keys[wanted]

    def _named(self, groups: list[Group]) -> dict[tuple[str, str], str | None]:
        """Every source the groups' lines name, with its key (None: unknown)."""
        named = {wanted for g in groups for e in g.events for wanted in named_sources(e)}
        return {wanted: self.source_key(*wanted) for wanted in named}

    def _waits(self, group: Group, earlier: set[UUID], existing: set[UUID]) -> bool:
        """Whether a closing names a duplicate that may still come later in the file.

        A duplicate among the batch's ``earlier`` groups is staged when the closing
        replays; one outside it must be stored (or accepted, in a dry run) by now, and is
        added to ``existing`` for the replay.
        """
        if group.faults:
            return False
        waits = False
        for event in group.events:
            target = event.fields.get("duplicate_of") if event.type is EventType.CLOSED else None
            if target is None:
                continue
            try:
                target_id = UUID(target)
            except ValueError:
                return False  # refused by the replay, naming the field
            if target_id in earlier:
                continue
            if target_id in self._accepted or self.store.exists(target_id):
                existing.add(target_id)
            else:
                waits = True
        return waits

    def _refuse_group(self, refusal: Refusal, lines: int) -> None:
        self.summary.appeals_refused += 1
        self.summary.refused_lines += lines
        self._count(refusal)
        self.refused(refusal)

    def _count(self, refusal: Refusal) -> None:
        by_field = self.summary.refused_by_field
        by_field[refusal.field or "line"] = by_field.get(refusal.field or "line", 0) + 1


def _key_ids(
    batch: Sequence[Group],
    stored: dict[UUID, list[Row]],
    to_domain: Callable[[StoredEvent], object],
) -> list[str]:
    """The citizen keys the batch may seal under: stored appeals' and named or derived ones."""
    ids: set[str] = set()
    for group in batch:
        for first in stored.get(group.appeal_id, ())[:1]:
            event = to_domain(StoredEvent(group.appeal_id, *first))
            key = getattr(event, "text_key", None) or getattr(event, "citizen_id", None)
            if key:
                ids.add(key)
        for event in group.events:
            if event.type is EventType.RECEIVED:
                ids.add(event.fields.get("citizen_id") or f"c-{group.appeal_id.hex[:16]}")
    return sorted(ids)
