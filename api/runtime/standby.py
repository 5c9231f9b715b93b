"""View reads from a PostgreSQL hot standby, never older than the reading client's last write.

``APPEALS_READ_DATABASE_URL`` names a streaming standby of the store. Writes and the
mutation's own payload stay on the primary; ``appeal``, ``appeals``, ``statistics``,
``workload`` and the open data read the views on the standby. A mutation's payload is read
once the primary's views reached the write's log position (``api.runtime.watcher``); the
position is then remembered for that client (its token, or its address without one). A later
read of that client is served by the standby only once the standby's replicated positions
table shows every view at that position, or the position the client sent
(``api.runtime.basis``), whichever is later: it waits up to ``APPEALS_READ_STANDBY_WAIT_MS``,
then reads the primary instead. Clients are remembered per API process; the position a
client sends holds across processes and hosts.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlsplit

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment
from psycopg.errors import SerializationFailure

from api.runtime.asyncreads import AsyncAppealReads
from api.runtime.basis import Reader
from api.settings import Settings, SettingsError
from api.storage.pgpool import BoundedPostgresFactory
from api.storage.store import Store, parse_store
from api.storage.unavailable import is_unavailable
from projections.assembly import database_for
from projections.read_models import ReadModels

POLL_SECONDS = 0.02
REMEMBERED_CLIENTS = 100_000


def client_key(authorization: str | None, address: str | None) -> str:
    """Who reads: a digest of the token (never the token), else the peer's address."""
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return f"addr:{address or '-'}"


class StandbyReads:
    """The views on the standby, and how far each client needs them to be."""

    def __init__(
        self,
        read_models: ReadModels,
        appeal_reads: AsyncAppealReads,
        wait: float,
        served: Callable[[str], None],
    ) -> None:
        self.read_models = read_models
        self.appeal_reads = appeal_reads
        self.wait = wait
        self.served = served
        """Called with ``"standby"`` or ``"primary"`` for every read routed here."""
        self.datastore: PostgresDatastore | None = None
        self.replayed = 0
        """The least view position last seen on the standby."""
        self._written: OrderedDict[str, int] = OrderedDict()

    def wrote(self, client: str, position: int) -> None:
        """The primary's views show ``client``'s write at ``position``."""
        if position > self._written.get(client, 0):
            self._written[client] = position
            self._written.move_to_end(client)
            if len(self._written) > REMEMBERED_CLIENTS:
                self._written.popitem(last=False)

    async def serves(self, reader: Reader) -> bool:
        """Whether the standby may answer ``reader`` now; counts the choice."""
        known = self._written.get(reader.client, 0) if reader.client else 0
        chosen = await self._caught_up(max(known, reader.basis))
        self.served("standby" if chosen else "primary")
        return chosen

    def failed(self, error: Exception) -> bool:
        """Whether the primary should answer a read the standby failed with ``error``.

        True (and counted) when the standby is away or cancelled the query in a conflict
        with its replay (SQLSTATE 40001); the caller then reads the primary.
        """
        answer = is_unavailable(error) or isinstance(error, SerializationFailure)
        if answer:
            self.served("standby_error")
        return answer

    async def close(self) -> None:
        """Release the standby's connections."""
        await self.appeal_reads.close()
        if self.datastore is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.datastore.close)

    async def _caught_up(self, needed: int) -> bool:
        deadline = time.monotonic() + self.wait
        loop = asyncio.get_running_loop()
        while needed > self.replayed:
            try:
                positions = await loop.run_in_executor(None, self.read_models.positions)
            except Exception as error:
                if not is_unavailable(error):
                    raise
                return False  # the standby is away: the primary answers
            self.replayed = max(self.replayed, min(positions.values(), default=0))
            if needed <= self.replayed:
                break
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True


def standby_store(settings: Settings) -> Store:
    """The standby ``APPEALS_READ_DATABASE_URL`` names; a one-line error where it cannot serve."""
    url = str(settings.read_database_url or "")
    if urlsplit(url).scheme not in ("postgresql", "postgres"):
        raise SettingsError("APPEALS_READ_DATABASE_URL: give a hot standby's postgresql:// URL")
    if urlsplit(str(settings.database_url)).scheme == "sqlite":
        raise SettingsError("APPEALS_READ_DATABASE_URL needs APPEALS_DATABASE_URL on PostgreSQL")
    return parse_store(
        url,
        pool_size=settings.pool_size,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout,
    )


async def open_standby(
    settings: Settings, primary: ReadModels, events_table: str, served: Callable[[str], None]
) -> StandbyReads:
    """Connect to the standby named by ``APPEALS_READ_DATABASE_URL``."""
    store = standby_store(settings)
    factory = BoundedPostgresFactory(Environment("standby", store.env))
    datastore: PostgresDatastore = factory.datastore
    models = ReadModels(database_for(datastore, events_table), primary.names, primary.clock)
    reads = AsyncAppealReads(
        store.conninfo,
        models,
        settings.pool_size,
        connect_timeout=store.connect_timeout,
        statement_timeout=store.statement_timeout,
    )
    await reads.open()
    standby = StandbyReads(models, reads, settings.read_standby_wait, served)
    standby.datastore = datastore
    return standby
