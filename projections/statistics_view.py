"""The statistics view: pre-aggregated cells, duration histograms and pending-due counts.

Three tables, all sums that the projection adds to and subtracts from:

- ``stats_cells``: per cell, the appeal count, the problems (appeals not closed as a duplicate
  of another), counts by status, on-time figures and ratings;
- ``stats_hist``: per cell, metric (``f`` first response, ``r`` resolution) and bin, a count;
- ``stats_due``: per cell and due hour, how many open appeals have their earliest pending
  obligation due by the end of that hour (see ``statistics_query`` for "overdue now");
- ``stats_wait``: per month cell, metric and UTC hour, how many appeals have waited since that
  hour and wait still (censored times, for rankings: ``projections.survival``).

Rows whose count falls to zero are deleted, so the tables hold only non-empty cells.

Tables made before the ``source`` dimension or the ``problems`` figure existed are re-derived
from the appeals view when the view is set up (``create``): a cell key cannot gain a column in
place, since every old cell would have to be split by source, and an old cell does not know
how many of its appeals were closed as duplicates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ledger.calendar import ProductionCalendar
from projections.appeals_view import states_in_pages
from projections.contribution import (
    FIRST_RESPONSE,
    RESOLUTION,
    VALUES,
    Contribution,
    contribution,
)
from projections.db import Cursor, Database
from projections.derivation import Summing
from projections.statistics_load import StatisticsLoad
from projections.view import Derivation, Transition

CELLS, HIST, DUE, WAIT = "stats_cells", "stats_hist", "stats_due", "stats_wait"
CELL_KEYS = ("grain", "bucket", "channel", "category", "body", "department", "source")
HIST_KEYS = (*CELL_KEYS, "metric", "bin")
DUE_KEYS = (*CELL_KEYS, "due_hour")
WAIT_KEYS = (*CELL_KEYS, "metric", "since_hour")
_DIMS = "grain TEXT NOT NULL, bucket INTEGER NOT NULL, channel TEXT NOT NULL, " + (
    "category TEXT NOT NULL, body TEXT NOT NULL, department TEXT NOT NULL, source TEXT NOT NULL"
)
DDL = [
    f"CREATE TABLE IF NOT EXISTS {CELLS} ({_DIMS}, "
    + ", ".join(f"{v} BIGINT NOT NULL" for v in VALUES)
    + ")",
    f"CREATE TABLE IF NOT EXISTS {HIST} ({_DIMS}, metric TEXT NOT NULL, bin INTEGER NOT NULL, "
    "n BIGINT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {DUE} ({_DIMS}, due_hour BIGINT NOT NULL, n BIGINT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {WAIT} ({_DIMS}, metric TEXT NOT NULL, "
    "since_hour BIGINT NOT NULL, n BIGINT NOT NULL)",
    # The keys are unique indexes created after the tables, so a rebuild loads them first and
    # builds each index once (far cheaper than maintaining it row by row). The ``_pkey``
    # names match the primary keys of tables created before, so those are left as they are.
    *(
        f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_pkey ON {table} ({', '.join(keys)})"
        for table, keys in (
            (CELLS, CELL_KEYS),
            (HIST, HIST_KEYS),
            (DUE, DUE_KEYS),
            (WAIT, WAIT_KEYS),
        )
    ),
]

Key = tuple[object, ...]
REDERIVE_PAGE = 10_000


class StatisticsView:
    """Keeps the statistics tables equal to the sum of every appeal's contribution."""

    name = "statistics"

    def __init__(self, calendar: ProductionCalendar) -> None:
        self.calendar = calendar
        self._load = StatisticsLoad(calendar)

    def create(self, db: Database, cursor: Cursor) -> None:
        present = db.columns(cursor, CELLS)
        outdated = bool(present) and not {"source", "problems"} <= present
        if outdated:
            self.drop(db, cursor)
        for statement in DDL:
            cursor.execute(statement)
        if outdated:
            self._rederive(db, cursor)

    def _rederive(self, db: Database, cursor: Cursor) -> None:
        """Refill the tables from the appeals view, which stands at the same position."""
        derivation = self.derivation(db)
        for states in states_in_pages(db, cursor, REDERIVE_PAGE):
            derivation.add(cursor, [(None, state) for state in states])
        derivation.finish(cursor)

    def create_table(self, db: Database, cursor: Cursor) -> None:
        """The tables without their key indexes, for a rebuild; ``create`` adds them."""
        for statement in DDL[:4]:
            cursor.execute(statement)
        self._load = StatisticsLoad(self.calendar)  # nothing staged by an earlier, failed one

    def drop(self, db: Database, cursor: Cursor) -> None:
        for table in (CELLS, HIST, DUE, WAIT):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def derivation(self, db: Database) -> Derivation:
        """Re-derive by summing in memory, flushing at ``derivation.FLUSH_AT`` keys."""
        return Summing(self, db)

    def new_sums(self) -> Sums:
        """An empty in-memory accumulator for ``accumulate``/``flush``."""
        return Sums()

    def apply(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        sums = Sums()
        self.accumulate(sums, transitions)
        self.flush(db, cursor, sums)

    def accumulate(self, sums: Sums, transitions: Sequence[Transition]) -> None:
        """Add the net effect of ``transitions`` to ``sums`` (in memory)."""
        cells, hist, due, wait = sums.cells, sums.hist, sums.due, sums.wait
        width = len(VALUES)
        calendar = self.calendar
        for old, new in transitions:
            after = contribution(new, calendar)
            before = contribution(old, calendar) if old is not None else None
            if before == after:
                continue
            for part, sign in ((before, -1), (after, 1)):
                if part is None:
                    continue
                for key in _cell_keys(part):
                    cell = cells.get(key)
                    if cell is None:
                        cell = cells[key] = [0] * width
                    for i, value in enumerate(part.values):
                        if value:
                            cell[i] += sign * value
                    if part.first_response_bin is not None:
                        hist[(*key, FIRST_RESPONSE, part.first_response_bin)] += sign
                    if part.resolution_bin is not None:
                        hist[(*key, RESOLUTION, part.resolution_bin)] += sign
                    if part.due_hour is not None:
                        due[(*key, part.due_hour)] += sign
                month = key_of_month(part)
                if part.first_response_since is not None:
                    wait[(*month, FIRST_RESPONSE, part.first_response_since)] += sign
                if part.resolution_since is not None:
                    wait[(*month, RESOLUTION, part.resolution_since)] += sign

    def flush(self, db: Database, cursor: Cursor, sums: Sums) -> None:
        """Add ``sums`` to the tables and delete rows that fell to zero."""
        cells, hist, due, wait = sums.cells, sums.hist, sums.due, sums.wait
        db.add_rows(
            cursor, CELLS, CELL_KEYS, VALUES, [(*k, *v) for k, v in cells.items() if any(v)]
        )
        db.add_rows(cursor, HIST, HIST_KEYS, ("n",), [(*k, n) for k, n in hist.items() if n])
        db.add_rows(cursor, DUE, DUE_KEYS, ("n",), [(*k, n) for k, n in due.items() if n])
        db.delete_empty(cursor, CELLS, CELL_KEYS, [k for k, v in cells.items() if v[0] < 0])
        db.delete_empty(cursor, HIST, HIST_KEYS, [k for k, n in hist.items() if n < 0])
        db.add_rows(cursor, WAIT, WAIT_KEYS, ("n",), [(*k, n) for k, n in wait.items() if n])
        db.delete_empty(cursor, DUE, DUE_KEYS, [k for k, n in due.items() if n < 0])
        db.delete_empty(cursor, WAIT, WAIT_KEYS, [k for k, n in wait.items() if n < 0])
        sums.clear()

    def stage(self, db: Database, cursor: Cursor, transitions: Sequence[Transition]) -> None:
        """Stage the contributions of new appeals for ``settle`` (rebuilds only)."""
        self._load.stage(db, cursor, [new for _, new in transitions])

    def settle(self, db: Database, cursor: Cursor) -> None:
        """Sum what ``stage`` appended into the empty tables, before ``create`` indexes them."""
        self._load.settle(db, cursor, CELLS, HIST, DUE, WAIT)


class Sums:
    """Pending additions to the three statistics tables."""

    def __init__(self) -> None:
        self.cells: dict[Key, list[int]] = {}
        self.hist: dict[Key, int] = defaultdict(int)
        self.due: dict[Key, int] = defaultdict(int)
        self.wait: dict[Key, int] = defaultdict(int)

    def __len__(self) -> int:
        return len(self.cells) + len(self.hist) + len(self.due) + len(self.wait)

    def clear(self) -> None:
        """Forget everything (after a flush)."""
        self.cells.clear()
        self.hist.clear()
        self.due.clear()
        self.wait.clear()


def _cell_keys(part: Contribution) -> tuple[Key, Key]:
    return ("d", part.day, *part.dims), key_of_month(part)


def key_of_month(part: Contribution) -> Key:
    """The month cell a contribution adds to."""
    return ("m", part.month, *part.dims)
