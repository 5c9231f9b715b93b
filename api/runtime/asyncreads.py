"""Appeal rows read on the event loop over an async PostgreSQL pool: no thread hop per read.

``appeal(id)``, ``node(id)`` and nested appeal lookups are the API's most frequent reads.
Through the loop's thread pool each one cost a hand-over to a thread and back, and under load
the loop and those threads queued for the GIL in turn, which widened the latency tail. Here
the query is awaited on the loop itself. The statements and the row conversion are the read
models' own (``ReadModels.appeal_statements`` / ``appeal_row``); SQLite keeps the thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from api.storage.pgpool import OPENED_AT_START, BoundedAsyncPool, bounded_kwargs
from projections.models import AppealRow
from projections.read_models import ReadModels
from projections.tracking import TRACKING

_POSITIONS = f"SELECT name, position FROM {TRACKING}"


class AsyncAppealReads:
    """``get_appeals`` as a coroutine, on a pool opened and closed with the app's lifespan."""

    def __init__(
        self,
        conninfo: str,
        read_models: ReadModels,
        size: int,
        *,
        connect_timeout: int = 2,
        statement_timeout: float = 30.0,
    ) -> None:
        self.read_models = read_models
        kwargs = bounded_kwargs({"autocommit": True}, connect_timeout, statement_timeout)
        self.pool = BoundedAsyncPool(
            conninfo,
            min_size=min(OPENED_AT_START, size),
            max_size=size,
            open=False,
            kwargs=kwargs,
            name="appeal-reads",
            timeout=connect_timeout,
            reconnect_timeout=connect_timeout,
            check=BoundedAsyncPool.check_closed,
        )

    async def open(self) -> None:
        """Connect (call on the loop that will use the pool)."""
        await self.pool.open(wait=True, timeout=10)

    async def close(self) -> None:
        """Close every connection."""
        await self.pool.close()

    async def get_appeals(self, ids: Sequence[UUID]) -> dict[UUID, AppealRow]:
        """The rows of the given appeals that exist."""
        found: dict[UUID, AppealRow] = {}
        async with self.pool.connection() as conn:
            for statement, params in self.read_models.appeal_statements(ids):
                cursor = await conn.execute(statement, params)
                for raw in await cursor.fetchall():
                    row = self.read_models.appeal_row(raw)
                    found[row.id] = row
        return found

    async def positions(self) -> dict[str, int]:
        """Every view's position (as ``ReadModels.positions``), read on the loop."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(_POSITIONS, prepare=True)
            found = {str(name): int(position) for name, position in await cursor.fetchall()}
        return {name: found.get(name, 0) for name in self.read_models.names}
