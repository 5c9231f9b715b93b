"""The projection runner: follows the event log and feeds every view exactly once.

One batch is one transaction. It first moves every view's tracking row with compare-and-set
(which also takes the lock), then reads the previous states of the appeals it touches, folds
the batch's events in memory, and lets each view write the net effect in bulk. A concurrent
runner that processed the same events first makes the compare-and-set fail, and this batch
rolls back with nothing written. Views therefore always sit at the same position.

``Worker`` runs a ``Runner`` until stopped: in a thread inside the API, or as its own process.

On PostgreSQL the worker LISTENs on the channel the ledger's recorder NOTIFYs on every
insert, so it wakes as soon as events commit; it also pulls every ``idle`` seconds in case
a notification was missed. On SQLite, which cannot notify, it pulls every ``poll`` seconds.

A failed step (a dropped connection, a lock timeout) is retried by ``DaemonThread`` after
its backoff: the views roll back with their tracking rows, so nothing is lost, and a worker
that stopped for good would leave every view behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, suppress
from datetime import UTC, datetime
from uuid import UUID

from ledger.domain import Appeal
from projections import pattern_store, rebuild, tracking
from projections.appeal_state import AppealState
from projections.appeals_view import AppealsView, load_states
from projections.daemon import DaemonThread
from projections.db import Database
from projections.decoding import EventDecoder, Fields, Row
from projections.listener import Waiter, sleeping
from projections.rebuild import Progress
from projections.state import DECODED, Folder
from projections.tracking import PositionMovedError
from projections.view import DerivedView, EventView, RebuildableView, Transition

PIPELINE_UP_TO = 64
"""Live batches of at most this many events send their writes and commit in one pipeline."""


class ViewsOutOfStepError(Exception):
    """Views are at different positions, which only a broken manual change can cause."""

    def __init__(self, *, positions: dict[str, int]) -> None:
        super().__init__(f"positions={positions}")
        self.positions = positions


class Runner:
    """Feeds the views from the log; safe to run in several processes at once."""

    def __init__(
        self,
        db: Database,
        decoder: EventDecoder,
        folder: Folder,
        appeals: AppealsView,
        derived: Sequence[DerivedView],
        readers: Sequence[EventView] = (),
        *,
        batch_size: int = 10_000,
    ) -> None:
        self.db = db
        self.decoder = decoder
        self.folder = folder
        self.appeals = appeals
        """The appeals view: also the store of the states every other view derives from."""
        self.derived = list(derived)
        self.readers = list(readers)
        """The views of events (search): also fed the batch's events they want."""
        self.views: list[RebuildableView] = [appeals, *derived, *readers]
        self.batch_size = batch_size
        self.position = 0
        self._knows = False
        self.on_advance: list[Callable[[int], None]] = []
        """Called with the new position after every batch this runner commits."""

    @property
    def names(self) -> list[str]:
        """The views' names."""
        return [view.name for view in self.views]

    def setup(self) -> None:
        """Create missing tables and tracking rows."""
        with self.db.transaction() as cursor:
            self.db.serialize_setup(cursor)
            tracking.create(cursor, self.names)
            for view in self.views:
                view.create(self.db, cursor)
            pattern_store.create(self.db, cursor)

    def positions(self) -> dict[str, int]:
        """Each view's position."""
        found = tracking.read(self.db)
        return {name: found.get(name, 0) for name in self.names}

    def current(self, views: Sequence[RebuildableView] | None = None) -> int:
        """The position the given views (default: all) share."""
        found = self.positions()
        positions = {v.name: found[v.name] for v in (views or self.views)}
        if len(set(positions.values())) != 1:
            raise ViewsOutOfStepError(positions=positions)
        return next(iter(positions.values()))

    def step(self, limit: int | None = None) -> int:
        """Process one batch; returns how many events it held (0 when caught up).

        Returns 0 too when another runner got there first, or while a rebuild elsewhere
        holds the derived views back: the caller simply tries again. A derived view left
        behind by a crashed rebuild is re-derived once the appeals view has caught up.
        """
        try:
            return self._step(self.views, limit)
        except ViewsOutOfStepError as error:
            self._recover(error.positions)
            return 0

    def catch_up(self, progress: Progress | None = None) -> int:
        """Process batches until the log is exhausted; returns the events processed."""
        return self._catch_up(self.views, progress)

    def _catch_up(self, views: Sequence[RebuildableView], progress: Progress | None) -> int:
        total = 0
        while processed := self._step(views, None):
            total += processed
            if progress:
                progress(processed, self.position)
        return total

    def _step(self, views: Sequence[RebuildableView], limit: int | None) -> int:
        # After a batch of its own, this runner knows where the views are; the tracking
        # update's compare-and-set catches anyone who moved them since.
        start = self.position if self._knows else self.current(views)
        rows = self.db.events_after(start, limit or self.batch_size)
        if not rows:
            self._advance(start)
            return 0
        fields = self.decoder.fields
        events = [(row, fields(row, DECODED)) for row in rows]
        try:
            self._write(views, start, rows[-1].position, events)
        except PositionMovedError:
            self._knows = False
            return 0
        self._advance(rows[-1].position)
        self._knows = views == self.views
        return len(rows)

    def _recover(self, positions: dict[str, int]) -> None:
        base = positions.get(self.appeals.name, 0)
        late = [v for v in self.readers if positions[v.name] < base]
        if late and all(positions[v.name] == positions[late[0].name] for v in late):
            # A view of events added to a store that had the others (or left behind): it
            # catches up alone, reading the log, until it stands with the others.
            with suppress(PositionMovedError, ViewsOutOfStepError):
                self._step(late, None)
            return
        behind = [v for v in self.derived if positions[v.name] != base]
        if behind and base == self.db.head():
            with suppress(PositionMovedError):
                rebuild.rederive(self, behind, None)

    def _write(
        self,
        views: Sequence[RebuildableView],
        start: int,
        end: int,
        events: list[tuple[Row, Fields]],
    ) -> None:
        unseen: set[UUID] = set()
        earlier: set[UUID] = set()
        for row, (kind, _) in events:
            key = row.originator_id
            if key not in unseen and key not in earlier:
                (unseen if issubclass(kind, Appeal.Received) else earlier).add(key)
        # A live batch goes out in one pipeline (one round trip for its writes and commit);
        # a large one is written without, so that its bulk inserts can use COPY.
        with self.db.transaction(pipelined=len(events) <= PIPELINE_UP_TO) as cursor:
            tracking.move_all(self.db, cursor, [v.name for v in views], start, end)
            before = load_states(self.db, cursor, earlier) if earlier else {}
            states: dict[UUID, AppealState] = {k: s.copy() for k, s in before.items()}
            fold = self.folder.apply
            for row, event in events:
                key, version, position = row.originator_id, row.originator_version, row.position
                if issubclass(event[0], Appeal.Received):
                    states[key] = self.folder.start(key, event, version, position)
                elif issubclass(event[0], Appeal.Event):
                    fold(states[key], event, version, position)
            transitions: list[Transition] = [(before.get(k), s) for k, s in states.items()]
            for view in views:
                view.apply(self.db, cursor, transitions)
            for reader in self.readers:
                if reader in views:
                    wanted = reader.wanted
                    chosen = [e for e in events if e[1][0] in wanted]
                    reader.apply_events(self.db, cursor, chosen)
            self.db.announce(cursor, end)

    def rebuild(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> int:
        """Drop and rebuild views; returns the events replayed (see ``projections.rebuild``)."""
        wanted = set(names or self.names)
        if self.appeals.name not in wanted and not any(v.name in wanted for v in self.readers):
            rebuild.rederive(self, [v for v in self.derived if v.name in wanted], progress)
            return 0
        head, total = rebuild.replay_all(self, progress)
        self._advance(head)
        return total

    def _advance(self, position: int) -> None:
        self.position = position
        for listener in self.on_advance:
            listener(position)


class Worker(DaemonThread):
    """A runner loop in a daemon thread, with ``start()`` and ``stop()``."""

    thread_name = "projections"
    stop_timeout = 10.0

    def __init__(
        self,
        runner: Runner,
        listen: Callable[[], AbstractContextManager[Waiter]] | None = None,
        *,
        poll: float = 0.02,
        idle: float = 1.0,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.listen = listen or sleeping
        self.poll = poll if listen is None else idle

    def _run(self) -> None:
        self.runner.setup()
        # A live follower should not pay for building the calendar on its first event.
        self.runner.folder.warm_up(datetime.now(UTC).date())
        with self.listen() as wait:
            self._healthy()
            while not self._stop.is_set():
                while not self._stop.is_set() and self.runner.step():
                    pass
                wait(self.poll)
