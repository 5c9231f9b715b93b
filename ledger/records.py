"""What the ledger hands back: a command's record and an appeal's history entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from ledger.domain import Appeal

__all__ = ["EventPositions", "HistoryEntry", "Recorded"]


class EventPositions(Protocol):
    """Maps an appeal's versions to their positions in the store's notification log."""

    def positions(self, appeal_id: UUID) -> dict[int, int]: ...


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a command changed: the appeal, its new version and the last log position."""

    appeal_id: UUID
    version: int
    position: int | None
    created: bool = True
    events: tuple[tuple[int, Appeal.Event], ...] = ()
    """The events this command recorded, each with its log position."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One stored event of an appeal with its log position."""

    position: int | None
    event: Appeal.Event
