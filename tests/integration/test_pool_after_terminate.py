"""A pool whose idle connections the server ended hands out a live one within its timeout.

After a PostgreSQL restart or ``pg_terminate_backend`` every idle pooled connection is
closed. The pool's own loop paused 1 s after the second closed connection and 2 s after the
third, so a checkout with six of them ran out of its 2 s and failed although the server was
up (``api.storage.pgpool``).
"""

from __future__ import annotations

import asyncio
from typing import TypedDict

import psycopg

from api.storage.pgpool import BoundedAsyncPool, BoundedPool
from tests.waiting import until

SIZE = 6


class _Bounds(TypedDict):
    min_size: int
    max_size: int
    timeout: float


BOUNDS = _Bounds(min_size=SIZE, max_size=SIZE, timeout=2.0)
"""The same pool, sync or async: six connections, and 2 s for a checkout to find a live one."""


def _end_sessions(url: str) -> None:
    """End every other session on the test's database, and wait until they are gone."""
    query = (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    others = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        ended = conn.execute(query).fetchone()
        assert ended is not None and ended[0] == SIZE
        until(lambda: conn.execute(others).fetchone() == (0,), timeout=10, every=0.05)


def test_a_pool_gives_a_live_connection_after_the_server_ended_all_of_its_own(
    postgres_url: str,
) -> None:
    pool = BoundedPool(postgres_url, **BOUNDS, check=BoundedPool.check_closed, open=True)
    try:
        pool.wait(timeout=10)
        _end_sessions(postgres_url)

        with pool.connection() as conn:
            assert conn.execute("SELECT 1").rowcount == 1
    finally:
        pool.close()


def test_an_async_pool_gives_a_live_connection_after_the_server_ended_all_of_its_own(
    postgres_url: str,
) -> None:
    async def scenario() -> tuple[int, ...] | None:
        pool = BoundedAsyncPool(
            postgres_url, **BOUNDS, check=BoundedAsyncPool.check_closed, open=False
        )
        await pool.open(wait=True, timeout=10)
        try:
            await asyncio.to_thread(_end_sessions, postgres_url)
            async with pool.connection() as conn:
                cursor = await conn.execute("SELECT 1")
                return await cursor.fetchone()
        finally:
            await pool.close()

    assert asyncio.run(scenario()) == (1,)
