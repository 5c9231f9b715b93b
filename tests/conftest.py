"""Shared fixtures: a fresh store per test, on real SQLite and real PostgreSQL.

PostgreSQL tests skip when the server is unreachable, except under ``CI=true``, where an
unreachable server fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from api.bootstrap import build
from api.container import Container
from api.settings import Settings

PG_ADMIN = os.environ.get("APPEALS_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_reachable() -> str | None:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def require_postgres() -> str:
    """The admin URL, or a skip (a failure under CI=true) when PostgreSQL is down."""
    problem = _pg_reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is unreachable under CI=true: {problem}")
        pytest.skip(f"PostgreSQL is unreachable: {problem}")
    return PG_ADMIN


@pytest.fixture(scope="session")
def pg_admin() -> str:
    """The admin URL, or a skip (a failure under CI=true) when PostgreSQL is down."""
    return require_postgres()


def create_database(admin_url: str) -> str:
    """Create a uniquely named database and return its URL."""
    name = f"appeals_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, url: str) -> None:
    """Drop a test database, ending any connections left open."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(pg_admin: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    url = create_database(pg_admin)
    yield url
    drop_database(pg_admin, url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file for one test."""
    return f"sqlite:///{tmp_path / 'appeals.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def container(store_url: str) -> Iterator[Container]:
    """A wired ledger on a fresh store."""
    built = build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url}))
    yield built
    built.close()
