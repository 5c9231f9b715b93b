"""The projection runner: follows the event log and feeds every view exactly once.

One batch is one transaction. It first moves every view's tracking row with compare-and-set
(which also takes the lock), then reads the previous states of the appeals it touches, folds
the batch's events in memory, and lets each view write the net effect in bulk. A concurrent
runner that processed the same events first makes the compare-and-set fail, and this batch
rolls back with nothing written. Views therefore always sit at the same position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import partial
from uuid import UUID

from ledger.domain import Appeal
from projections import tracking
from projections.appeal_stream import Pages
from projections.appeals_view import load_states
from projections.collector import collect_rarely
from projections.db import Cursor, Database, Submit
from projections.decoding import EventDecoder, Fields, RawRow, Row
from projections.rederive import Progress, rederive
from projections.state import DECODED, AppealState, Folder
from projections.tracking import PositionMovedError
from projections.view import Transition, View

PIPELINE_UP_TO = 64
"""Live batches of at most this many events send their writes and commit in one pipeline."""


def _reads_events(view: View) -> bool:
    # A view with ``apply_events`` (search) also reads the batch's events themselves.
    return hasattr(view, "apply_events")


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
        views: Sequence[View],
        *,
        batch_size: int = 10_000,
    ) -> None:
        self.db = db
        self.decoder = decoder
        self.folder = folder
        self.views = list(views)
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

    def positions(self) -> dict[str, int]:
        """Each view's position."""
        found = tracking.read(self.db)
        return {name: found.get(name, 0) for name in self.names}

    def current(self, views: Sequence[View] | None = None) -> int:
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

    def _catch_up(self, views: Sequence[View], progress: Progress | None) -> int:
        total = 0
        while processed := self._step(views, None):
            total += processed
            if progress:
                progress(processed, self.position)
        return total

    def _step(self, views: Sequence[View], limit: int | None) -> int:
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
        base = positions.get("appeals", 0)
        behind = [v for v in self.views if positions[v.name] != base]
        if behind and all(map(_reads_events, behind)) and positions[behind[0].name] < base:
            # A view of events added to a store that had the others (or left behind): it
            # catches up alone, reading the log, until it stands with the others.
            with suppress(PositionMovedError, ViewsOutOfStepError):
                self._step(behind, None)
            return
        derived = all(hasattr(v, "accumulate") for v in behind)
        if derived and base == self.db.head():
            with suppress(PositionMovedError):
                rederive(self.db, behind, self.positions()["appeals"], self.batch_size, None)

    def _write(
        self, views: Sequence[View], start: int, end: int, events: list[tuple[Row, Fields]]
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
                if _reads_events(view):
                    wanted = view.wanted  # type: ignore[attr-defined]
                    chosen = [e for e in events if e[1][0] in wanted]
                    view.apply_events(self.db, cursor, chosen)  # type: ignore[attr-defined]
            self.db.announce(cursor, end)

    def rebuild(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> int:
        """Drop and rebuild views; returns the events replayed.

        Rebuilding ``appeals`` (or everything) is one transaction: it reads the log up to its
        head appeal by appeal (``Database.appeal_pages``), folds each appeal's whole history
        in memory, and writes every view's rows once, in bulk, into tables whose secondary
        indexes are created at the end. Each page's writes are handed to
        ``Database.writing_behind`` (a writer thread on PostgreSQL) while the next page is
        folded; the statistics view stages one row per appeal and sums them in SQL at the
        end (``settle``). A crash leaves the old views in place. The statistics
        and workload views are pure functions of appeal states, so rebuilding only them
        re-derives them from the appeals view, in one transaction at its position.
        """
        wanted = set(names or self.names)
        if "appeals" not in wanted and not any(
            _reads_events(v) for v in self.views if v.name in wanted
        ):
            chosen = [v for v in self.views if v.name in wanted]
            rederive(self.db, chosen, self.positions()["appeals"], self.batch_size, progress)
            return 0
        with collect_rarely(), self.db.transaction() as cursor:
            self.db.prepare_bulk_load(cursor)
            for view in self.views:
                # Take the tracking rows' locks before the tables': a runner that is
                # mid-batch finishes first, one that starts later waits, then finds its
                # position moved and retries on the rebuilt views.
                tracking.reset(self.db, cursor, view.name, 0)
            for view in self.views:
                view.drop(self.db, cursor)
                getattr(view, "create_table", view.create)(self.db, cursor)
            with (
                self.db.appeal_pages(cursor, self.batch_size) as (head, pages),
                self.db.writing_behind() as submit,
            ):
                total = self._replay(cursor, pages, submit, progress)
            for view in self.views:
                settle = getattr(view, "settle", None)
                if settle is not None:
                    settle(self.db, cursor)
            for view in self.views:
                view.create(self.db, cursor)
                tracking.reset(self.db, cursor, view.name, head)
        self._advance(head)
        return total

    def _replay(
        self, cursor: Cursor, pages: Pages, submit: Submit, progress: Progress | None
    ) -> int:
        fields, start, fold = self.decoder.fields, self.folder.start, self.folder.apply
        received = Appeal.Received
        state: AppealState | None = None
        current = -1  # the appeal being folded, as ``UUID.int``: cheaper to compare
        total = 0
        readers = [v for v in self.views if _reads_events(v)]
        wanted = frozenset().union(*(v.wanted for v in readers))  # type: ignore[attr-defined]
        for page in pages:
            finished: list[Transition] = []
            chosen: list[tuple[RawRow, Fields]] = []
            for row in page:
                position, appeal_id, version, _, _ = row
                event = fields(row, DECODED)
                if event[0] in wanted:
                    chosen.append((row, event))
                if appeal_id.int == current and state is not None:
                    fold(state, event, version, position)
                elif issubclass(event[0], received):
                    if state is not None:
                        finished.append((None, state))
                    state = start(appeal_id, event, version, position)
                    current = appeal_id.int
            submit(partial(self._load, cursor, finished))
            for view in readers:
                # In log order: an erasure comes after the texts it erases.
                submit(partial(view.apply_events, self.db, cursor, chosen))  # type: ignore[attr-defined]
            total += len(page)
            if progress:
                progress(len(page), total)
        if state is not None:
            submit(partial(self._load, cursor, [(None, state)]))
        return total

    def _load(self, cursor: Cursor, transitions: list[Transition]) -> None:
        # Like apply, but into freshly created tables: summing views stage each appeal's
        # share and settle the sums once at the end.
        if transitions:
            for view in self.views:
                getattr(view, "stage", view.apply)(self.db, cursor, transitions)

    def _advance(self, position: int) -> None:
        self.position = position
        for listener in self.on_advance:
            listener(position)
