"""What a store holds, counted the same way in the store, in a backup and after a restore."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Query = Callable[[str], Sequence[Any]]
"""Runs one statement and returns its first row."""


@dataclass(frozen=True)
class Contents:
    """Counts a person can compare: events, the audit log's size, checkpoints, citizen keys."""

    events: int
    last_position: int
    log_size: int
    checkpoints: int
    citizen_keys: int

    def describe(self) -> str:
        """One line for the operator."""
        return (
            f"{self.events} events (last position {self.last_position}), audit log of "
            f"{self.log_size} leaves, {self.checkpoints} checkpoints, "
            f"{self.citizen_keys} citizen keys"
        )


def read_contents(first_row: Query, tables: set[str], events_table: str, position: str) -> Contents:
    """Count with ``first_row``; a table missing from ``tables`` counts as empty.

    ``position`` is the events table's column of log positions on this store.
    """

    def value(table: str, expression: str) -> int:
        if table not in tables:
            return 0
        row = first_row(f"SELECT {expression} FROM {table}")
        return int(row[0] or 0) if row else 0

    return Contents(
        events=value(events_table, "count(*)"),
        last_position=value(events_table, f"max({position})"),
        log_size=value("audit_tracking", "max(size)"),
        checkpoints=value("audit_checkpoints", "count(*)"),
        citizen_keys=value("citizen_keys", "count(*)"),
    )
