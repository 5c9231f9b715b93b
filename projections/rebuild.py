"""Rebuilding views: a full replay of the log, or a re-derivation from the appeals view.

Rebuilding ``appeals`` (or everything) is one transaction: it reads the log up to its head
appeal by appeal (``Database.appeal_pages``), folds each appeal's whole history in memory,
and writes every view's rows once, in bulk, into tables whose secondary indexes are created
at the end. Each page's writes are handed to ``Database.writing_behind`` (a writer thread on
PostgreSQL) while the next page is folded; the statistics view stages one row per appeal
and sums them in SQL at the end (``settle``). A crash leaves the old views in place.

Derived views (statistics, workload) are pure functions of appeal states, so rebuilding
only them re-derives them from the appeals view, in one transaction at its position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from ledger.domain import Appeal
from projections import tracking
from projections.appeal_state import AppealState
from projections.appeal_stream import Pages
from projections.appeals_view import states_in_pages
from projections.collector import collect_rarely
from projections.db import Cursor, Submit
from projections.state import DECODED
from projections.view import DerivedView, LoggedEvent, Transition

if TYPE_CHECKING:
    from projections.runner import Runner

Progress = Callable[[int, int], None]
"""Called after each batch with the number of events it held and the new position.

During a full rebuild, which reads appeal by appeal, the second figure is the number of
events replayed so far (it ends at the head when the log has no gaps).
"""


def replay_all(runner: Runner, progress: Progress | None) -> tuple[int, int]:
    """Drop every view and replay the log into it; returns the head and the events replayed."""
    db, views = runner.db, runner.views
    with collect_rarely(), db.transaction() as cursor:
        db.prepare_bulk_load(cursor)
        for view in views:
            # Take the tracking rows' locks before the tables': a runner that is mid-batch
            # finishes first, one that starts later waits, then finds its position moved
            # and retries on the rebuilt views.
            tracking.reset(db, cursor, view.name, 0)
        for view in views:
            view.drop(db, cursor)
            view.create_table(db, cursor)
        with (
            db.appeal_pages(cursor, runner.batch_size) as (head, pages),
            db.writing_behind() as submit,
        ):
            total = _replay(runner, cursor, pages, submit, progress)
        for view in views:
            view.settle(db, cursor)
        for view in views:
            view.create(db, cursor)
            tracking.reset(db, cursor, view.name, head)
    return head, total


def _replay(
    runner: Runner, cursor: Cursor, pages: Pages, submit: Submit, progress: Progress | None
) -> int:
    fields, start, fold = runner.decoder.fields, runner.folder.start, runner.folder.apply
    received = Appeal.Received
    state: AppealState | None = None
    current = -1  # the appeal being folded, as ``UUID.int``: cheaper to compare
    total = 0
    readers = runner.readers
    wanted = frozenset[type[Any]]().union(*(v.wanted for v in readers))
    for page in pages:
        finished: list[Transition] = []
        chosen: list[LoggedEvent] = []
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
        submit(partial(_stage, runner, cursor, finished))
        for reader in readers:
            # In log order: an erasure comes after the texts it erases.
            submit(partial(reader.apply_events, runner.db, cursor, chosen))
        total += len(page)
        if progress:
            progress(len(page), total)
    if state is not None:
        submit(partial(_stage, runner, cursor, [(None, state)]))
    return total


def _stage(runner: Runner, cursor: Cursor, transitions: list[Transition]) -> None:
    # Like apply, but into freshly created tables: summing views stage each appeal's share
    # and settle the sums once at the end.
    if transitions:
        for view in runner.views:
            view.stage(runner.db, cursor, transitions)


def rederive(runner: Runner, views: Sequence[DerivedView], progress: Progress | None) -> None:
    """Re-derive ``views`` from the appeals view, in one transaction at its position."""
    db, chunk = runner.db, runner.batch_size
    with db.transaction() as cursor:
        position = runner.positions()[runner.appeals.name]
        tracking.move(db, cursor, runner.appeals.name, position, position)
        for view in views:
            view.drop(db, cursor)
            view.create(db, cursor)
        derivations = [view.derivation(db) for view in views]
        for states in states_in_pages(db, cursor, chunk):
            transitions: list[Transition] = [(None, state) for state in states]
            for derivation in derivations:
                derivation.add(cursor, transitions)
            if progress:
                progress(len(states), position)
        for view, derivation in zip(views, derivations, strict=True):
            derivation.finish(cursor)
            tracking.reset(db, cursor, view.name, position)
