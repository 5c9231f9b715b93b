"""``ReadModels``: the one object the API reads views through, on either store."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from projections import tracking
from projections.appeals_query import AppealsQuery, to_appeal_row
from projections.codec import as_uuid
from projections.db import Database
from projections.hotspots import Hotspot, HotspotQuery
from projections.lookup_query import LookupEntry, LookupQuery
from projections.models import (
    AppealFilter,
    AppealOrder,
    AppealPage,
    AppealRow,
    Dimension,
    Period,
    StatsFilter,
    StatsGroup,
    WorkloadFilter,
    WorkloadRow,
)
from projections.public_statistics import PublicStatistics
from projections.similar_query import SimilarQuery
from projections.statistics_query import StatisticsQuery
from projections.workload_query import WorkloadQuery

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ReadModels:
    """Queries over the appeals, statistics and workload views, plus their positions."""

    def __init__(self, db: Database, names: Sequence[str], clock: Clock = _utcnow) -> None:
        self.db = db
        self.names = list(names)
        self.clock = clock
        self._appeals = AppealsQuery(db)
        self._statistics = StatisticsQuery(db)
        self._public = PublicStatistics(db, self._statistics)
        self._workload = WorkloadQuery(db)
        self._lookups = LookupQuery(db)
        self._hotspots = HotspotQuery(db, self._statistics)
        self._similar = SimilarQuery(db)

    def get_appeal(self, appeal_id: UUID) -> AppealRow | None:
        """One appeal's row, or None."""
        return self.get_appeals([appeal_id]).get(appeal_id)

    def get_appeals(self, ids: Sequence[UUID]) -> dict[UUID, AppealRow]:
        """Rows of many appeals in one round trip per 500 ids (for DataLoaders)."""
        return self._appeals.get_appeals(ids, self.clock())

    def duplicates_of(self, ids: Sequence[UUID]) -> dict[UUID, list[AppealRow]]:
        """Per appeal, the appeals closed as its duplicates: ``duplicate_of`` both ways."""
        return self._appeals.duplicates_of(ids, self.clock())

    def appeal_statements(self, ids: Sequence[UUID]) -> list[tuple[str, list[Any]]]:
        """What ``get_appeals`` runs, for a caller that reads on a connection of its own."""
        return self._appeals.by_ids(ids)

    def appeal_row(self, raw: Sequence[Any]) -> AppealRow:
        """The row one of those statements returned, as ``get_appeals`` gives it."""
        return to_appeal_row(raw, self.clock())

    def list_appeals(
        self,
        filter: AppealFilter,
        order: AppealOrder = AppealOrder.RECEIVED_AT_DESC,
        first: int = 20,
        after: str | None = None,
        *,
        count: bool = True,
        last: int | None = None,
        before: str | None = None,
    ) -> AppealPage:
        """A keyset page; raises ``InvalidCursorError`` on a cursor we did not issue.

        ``count=False`` skips the total: a count over a large filter costs a scan. ``last``
        and ``before`` page backwards; a text with no words raises ``EmptySearchError``.
        """
        return self._appeals.list_appeals(
            filter, order, first, after, self.clock(), count=count, last=last, before=before
        )

    def statistics(
        self,
        filter: StatsFilter,
        group_by: Sequence[Dimension],
        period: Period | None = None,
    ) -> list[StatsGroup]:
        """Grouped statistics; definitions in ``projections.statistics_query``."""
        return self._statistics.statistics(filter, group_by, period, self.clock())

    def public_statistics(
        self,
        filter: StatsFilter,
        group_by: Sequence[Dimension],
        period: Period | None,
        threshold: int,
    ) -> list[StatsGroup]:
        """Statistics under the public's period rule and disclosure control."""
        return self._public.statistics(filter, group_by, period, self.clock(), threshold)

    def workload(self, filter: WorkloadFilter) -> list[WorkloadRow]:
        """Open work per department (and assignee)."""
        return self._workload.workload(filter, self.clock())

    def lookup(
        self, dimension: Dimension, body: str | None, department: str | None
    ) -> list[LookupEntry]:
        """Values of a dimension within a body/department, with open counts (forms)."""
        return self._lookups.values(dimension, body=body, department=department)

    def hotspots(
        self,
        period: Period,
        end: date,
        baseline: int,
        *,
        body: str | None = None,
        category: str | None = None,
        department: str | None = None,
    ) -> list[Hotspot]:
        """Growing category × body groups, sharpest first (``projections.hotspots``)."""
        return self._hotspots.hotspots(
            period,
            end,
            baseline,
            self.clock(),
            body=body,
            category=category,
            department=department,
        )

    def similar(
        self, appeal: AppealRow, text: str, since: datetime, first: int
    ) -> list[tuple[AppealRow, float]]:
        """Appeals of its body whose message is close to ``text`` (likely duplicates)."""
        return self._similar.similar(appeal, text, since, first, self.clock())

    def positions(self) -> dict[str, int]:
        """Each view's position in the event log."""
        found = tracking.read(self.db)
        return {name: found.get(name, 0) for name in self.names}

    def appeal_ids_of_citizen(self, citizen_id: str) -> list[UUID]:
        """Every appeal of one (pseudonymous) citizen, for erasure; uses the citizen index."""
        statement = self.db.sql("SELECT id FROM appeals_view WHERE citizen_id = ? ORDER BY id")
        with self.db.reading() as cursor:
            cursor.execute(statement, (citizen_id,))
            return [as_uuid(row[0]) for row in cursor.fetchall()]

    def head(self) -> int:
        """The last position of the event log."""
        return self.db.head()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until every view has processed ``position``; False on timeout."""
        deadline = time.monotonic() + timeout
        pause = 0.001
        while True:
            if min(self.positions().values(), default=0) >= position:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.02)
