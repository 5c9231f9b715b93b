"""A table of named values, one row a name: the directory's sealed keys, the outbox's position."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NamedValues:
    """``table (name TEXT PRIMARY KEY, column kind NOT NULL)`` and the statements it takes."""

    table: str
    column: str
    kind: str

    def create(self) -> str:
        """Create the table unless it is there."""
        return (
            f"CREATE TABLE IF NOT EXISTS {self.table}"
            f" (name TEXT PRIMARY KEY, {self.column} {self.kind} NOT NULL)"
        )

    def select(self) -> str:
        """The value of the name given as the one parameter (no row: never written)."""
        return f"SELECT {self.column} FROM {self.table} WHERE name = ?"

    def upsert(self) -> str:
        """Write (name, value), replacing the name's value if it has one."""
        return (
            f"INSERT INTO {self.table} (name, {self.column}) VALUES (?, ?)"
            f" ON CONFLICT (name) DO UPDATE SET {self.column} = excluded.{self.column}"
        )
