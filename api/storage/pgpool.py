"""PostgreSQL pools that give up on an absent database within seconds and take it back at once.

The library's pool waits 30 s for a connection, connects without a timeout, hands out
connections the server has already closed, and backs off reconnecting for up to a minute
between attempts; with the library's ten retries per query, a request could hang a minute
during an outage and fail for another half a minute after it. These pools:

- connect with ``connect_timeout`` and run every statement under ``statement_timeout``;
- drop a connection the server closed when it is checked out, for free: only a connection
  with something to read (the server's goodbye) gets a round trip to test it;
- give up reconnecting after ``connect_timeout``, so the next request starts afresh
  instead of waiting out a long backoff;
- raise ``StoreUnavailableError`` when no connection comes within ``connect_timeout``, which
  the library does not retry; after one such failure, checkouts wait only ``QUICK_WAIT``
  until one succeeds again, so an outage costs each request a fraction of a second;
- take the next pooled connection at once when a checkout finds one closed. The pool's own
  loop pauses 1 s after the second closed connection and 2 s after the third (a backoff
  "to avoid a busy loop"), but after a PostgreSQL restart or ``pg_terminate_backend`` every
  idle connection is closed: requests stalled 1.1 and 2.2 s, and with ten dead connections a
  checkout ran past ``connect_timeout`` and answered 503 although the server was back.
  Each failed check discards one connection and costs no round trip (the server's goodbye
  is read locally), and a pool with none left waits for a new connection, so this loop
  cannot spin.
"""

from __future__ import annotations

import select
from time import monotonic
from typing import Any

from eventsourcing.postgres import ConnectionPool, PostgresFactory
from psycopg import AsyncConnection, Connection, Error
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from api.storage.unavailable import StoreUnavailableError

QUICK_WAIT = 0.25
"""Seconds a checkout waits while the pool's last checkout found no connection."""
OPENED_AT_START = 2
"""Connections a pool opens when it opens; it adds more as they are asked for, up to its size.

Each process used to open its whole pool (10) at start: a fresh ``serve --workers 3`` opened 40
connections at once, besides its appeal-read pools and listeners. On a shared server that ran
out of connections (``max_connections`` 100), workers failed their start-up and were restarted,
and the connections' start-up work was spent while the process was not yet serving."""
# Keys of eventsourcing's environment that only this factory reads (see api.storage.store).
STATEMENT_TIMEOUT = "POSTGRES_STATEMENT_TIMEOUT"
SERIAL = "-c max_parallel_workers_per_gather=0 -c jit=off"


def bounded_kwargs(
    kwargs: dict[str, Any], connect_timeout: float, statement_timeout: float
) -> dict[str, Any]:
    """Connection arguments with both timeouts (libpq counts whole seconds, at least 2).

    Parallel query is off: on the API's page of 20 the planner chose two parallel workers
    for a text search, which took 40-90 ms against 2-5 ms in one process (1M events), and
    their start-up took the cores that concurrent requests were waiting for. JIT is off too:
    before a freshly loaded view has planner statistics, the search page's estimated cost
    passed ``jit_above_cost`` and compiling took 18-25 ms of a page that runs in 0.3 ms.
    """
    options = f"-c statement_timeout={int(statement_timeout * 1000)} {SERIAL}"
    return {**kwargs, "connect_timeout": max(2, round(connect_timeout)), "options": options}


def _has_input(fileno: int) -> bool:
    # An idle pooled connection has nothing to read unless the server said goodbye (or,
    # rarely, left a notice): only then is a round trip spent on checking it.
    readable, _, _ = select.select([fileno], [], [], 0)
    return bool(readable)


class Breaker:
    """Remembers whether the last checkout failed, to make the next ones wait less."""

    def __init__(self, name: str, timeout: float) -> None:
        self.name = name
        self.timeout = timeout
        self.down = False

    def wait(self, asked: float | None) -> float:
        """How long the next checkout may wait."""
        if asked is not None:
            return asked
        return min(QUICK_WAIT, self.timeout) if self.down else self.timeout

    def failed(self, waited: float, error: PoolTimeout) -> StoreUnavailableError:
        """Note a checkout that found no connection; the error to raise."""
        self.down = True
        unavailable = StoreUnavailableError(self.name, waited)
        unavailable.__cause__ = error
        return unavailable


class BoundedPool(ConnectionPool[Connection[DictRow]]):
    """The library's pool with the bounds described above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.breaker = Breaker(self.name, self.timeout)

    def getconn(self, timeout: float | None = None) -> Connection[DictRow]:
        waited = self.breaker.wait(timeout)
        try:
            conn = super().getconn(waited)
        except PoolTimeout as error:
            raise self.breaker.failed(waited, error) from error
        self.breaker.down = False
        return conn

    def _getconn_with_check_loop(self, deadline: float) -> Connection[DictRow]:
        while True:  # the library's loop, without its pause after a failed check (see above)
            conn = self._getconn_unchecked(deadline - monotonic())
            try:
                self._check_connection(conn)
            except Error:  # closed: discard it and take the next
                self._putconn(conn, from_getconn=True)
                if monotonic() >= deadline:
                    raise PoolTimeout() from None
                continue
            except BaseException:
                self._putconn(conn, from_getconn=True)  # not lost, not retried
                raise
            return conn

    @staticmethod
    def check_closed(conn: Connection[Any]) -> None:
        """Raise for a connection the server has closed (used on every checkout)."""
        if conn.broken or _has_input(conn.fileno()):
            ConnectionPool.check_connection(conn)


class BoundedAsyncPool(AsyncConnectionPool[AsyncConnection[Any]]):
    """An asyncio pool with the same bounds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.breaker = Breaker(self.name, self.timeout)

    async def getconn(self, timeout: float | None = None) -> AsyncConnection[Any]:
        waited = self.breaker.wait(timeout)
        try:
            conn = await super().getconn(waited)
        except PoolTimeout as error:
            raise self.breaker.failed(waited, error) from error
        self.breaker.down = False
        return conn

    async def _getconn_with_check_loop(self, deadline: float) -> AsyncConnection[Any]:
        while True:  # the library's loop, without its pause after a failed check (see above)
            conn = await self._getconn_unchecked(deadline - monotonic())
            try:
                await self._check_connection(conn)
            except Error:  # closed: discard it and take the next
                await self._putconn(conn, from_getconn=True)
                if monotonic() >= deadline:
                    raise PoolTimeout() from None
                continue
            except BaseException:
                await self._putconn(conn, from_getconn=True)  # not lost, not retried
                raise
            return conn

    @staticmethod
    async def check_closed(conn: AsyncConnection[Any]) -> None:
        """Raise for a connection the server has closed (used on every checkout)."""
        if conn.broken or _has_input(conn.fileno()):
            await AsyncConnectionPool.check_connection(conn)


class BoundedPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL persistence, on a ``BoundedPool``."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        datastore = self.datastore
        given = datastore.pool  # built but never opened: replacing it costs nothing
        statement_timeout = float(self.env.get(STATEMENT_TIMEOUT) or 0)
        kwargs = given.kwargs if isinstance(given.kwargs, dict) else {}  # the library's: a dict
        datastore.pool = BoundedPool(
            connection_class=Connection[DictRow],
            kwargs=bounded_kwargs(kwargs, given.timeout, statement_timeout),
            min_size=min(OPENED_AT_START, given.min_size),
            max_size=given.max_size,
            open=False,
            configure=datastore.after_connect_func(),
            timeout=given.timeout,
            max_waiting=given.max_waiting,
            max_lifetime=given.max_lifetime,
            reconnect_timeout=given.timeout,
            check=BoundedPool.check_closed,
            name="store",
        )
