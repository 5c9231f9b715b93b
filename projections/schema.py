"""Tables and indexes of every view, written once for both stores."""

from __future__ import annotations

TRACKING = "projection_tracking"

TRACKING_DDL = [
    f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
]


def ddl(statements: list[str], *, is_postgres: bool) -> list[str]:
    """Store-specific types: ``UUID`` becomes TEXT on SQLite."""
    if is_postgres:
        return statements
    return [s.replace(" UUID", " TEXT") for s in statements]
