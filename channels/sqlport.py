"""The narrow SQL interface channels need; ``api.storage.sql.Sql`` implements it on both stores."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Cursor(Protocol):
    """The part of a DB-API cursor used here."""

    def execute(self, statement: Any, params: Any = ...) -> Any: ...

    def fetchall(self) -> Any: ...

    def fetchone(self) -> Any: ...


class SqlDialect(Protocol):
    """How one store writes a ``?``-style statement (``projections.dialect.Dialect``)."""

    @property
    def is_postgres(self) -> bool: ...

    def sql(self, statement: str) -> str: ...


class SqlRunner(Protocol):
    """Statements with ``?`` placeholders and ``BLOB`` types, rewritten for PostgreSQL."""

    @property
    def dialect(self) -> SqlDialect: ...

    def transaction(self, *, commit: bool) -> AbstractContextManager[Cursor]: ...

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None: ...
