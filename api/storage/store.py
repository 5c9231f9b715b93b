"""Translate ``APPEALS_DATABASE_URL`` into eventsourcing's environment, in one place."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg

from api.settings import SettingsError
from projections.dialect import POSTGRES, SQLITE, Dialect


@dataclass(frozen=True)
class Store:
    """Where events live: a SQLite file or a PostgreSQL database."""

    kind: str  # "sqlite" or "postgresql"
    env: dict[str, str]
    path: Path | None = None
    conninfo: str = ""
    connect_timeout: int = 2
    """Seconds to wait for a PostgreSQL connection, new or from a pool."""
    statement_timeout: float = 30.0
    """Seconds a PostgreSQL statement may run, or a SQLite write wait for a lock; 0: no limit."""

    @property
    def dialect(self) -> Dialect:
        """This store's SQL (``projections.dialect``)."""
        return POSTGRES if self.kind == POSTGRES.name else SQLITE

    @property
    def is_postgres(self) -> bool:
        """Whether this is the production store."""
        return self.dialect.is_postgres


def parse_store(
    url: str, *, pool_size: int = 10, connect_timeout: int = 2, statement_timeout: float = 30.0
) -> Store:
    """Refuse unknown schemes with a one-line message, before anything connects."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw = unquote(url.removeprefix("sqlite://"))
        if not raw.startswith("/") or raw == "/":
            raise SettingsError(f"APPEALS_DATABASE_URL: sqlite URL needs a path: {url!r}")
        # sqlite:///var/x.db is relative (var/x.db); sqlite:////abs/x.db is absolute.
        path = Path(raw[1:])
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            # How long a write waits for another process's lock before the store counts
            # as unavailable: the statement timeout's counterpart (0: a day, not never).
            "SQLITE_LOCK_TIMEOUT": str(
                max(1, round(statement_timeout)) if statement_timeout else 86400
            ),
            "APPLICATION_RECORDER_TOPIC": "api.storage.sqliterecorder:WriterConnectionRecorder",
        }
        return Store("sqlite", env, path=path, statement_timeout=statement_timeout)
    if parts.scheme in ("postgresql", "postgres"):
        dbname = parts.path.lstrip("/")
        if not dbname or not parts.hostname:
            raise SettingsError("APPEALS_DATABASE_URL: postgresql URL needs a host and a database")
        env = {
            "PERSISTENCE_MODULE": "api.storage.pgpool:BoundedPostgresFactory",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_CONNECT_TIMEOUT": str(connect_timeout),
            "POSTGRES_STATEMENT_TIMEOUT": str(statement_timeout),
            "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
            "APPLICATION_RECORDER_TOPIC": "api.storage.pgrecorder:OrderedFunctionRecorder",
        }
        conninfo = psycopg.conninfo.make_conninfo(
            dbname=dbname,
            host=parts.hostname,
            port=parts.port or 5432,
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
        )
        return Store(
            "postgresql",
            env,
            conninfo=conninfo,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
        )
    raise SettingsError(
        f"APPEALS_DATABASE_URL: unknown scheme {parts.scheme!r} (use sqlite:/// or postgresql://)"
    )


def check_reachable(store: Store) -> None:
    """Connect once so start-up fails with one clear line instead of a traceback."""
    if store.path is not None:
        store.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            sqlite3.connect(store.path).close()
        except sqlite3.Error as error:
            raise SettingsError(f"cannot open SQLite store {store.path}: {error}") from None
        return
    try:
        psycopg.connect(store.conninfo, connect_timeout=5).close()
    except psycopg.Error as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise SettingsError(f"cannot reach PostgreSQL: {first_line}") from None
