"""What an import did, counted as it goes: the summary printed and answered as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Summary:
    """Counts of one import run (a dry run counts what it would have written)."""

    dry_run: bool = False
    lines: int = 0
    refused_lines: int = 0
    appeals_new: int = 0
    appeals_extended: int = 0
    appeals_unchanged: int = 0
    appeals_refused: int = 0
    events_written: int = 0
    events_already_stored: int = 0
    seconds: float = 0.0
    refused_by_field: dict[str, int] = field(default_factory=dict)

    @property
    def appeals(self) -> int:
        """Appeals seen so far, whatever became of them."""
        return (
            self.appeals_new + self.appeals_extended + self.appeals_unchanged + self.appeals_refused
        )

    @property
    def ok(self) -> bool:
        """Whether no line was refused."""
        return self.refused_lines == 0

    def as_json(self) -> dict[str, Any]:
        """The summary as the CLI prints it and ``POST /import`` answers it."""
        data = asdict(self)
        data["appeals"] = self.appeals
        data["ok"] = self.ok
        data["seconds"] = round(self.seconds, 3)
        return data

    def sentence(self) -> str:
        """One line for a person."""
        verb = "would write" if self.dry_run else "wrote"
        return (
            f"{self.lines:,} lines, {self.appeals:,} appeals: {self.appeals_new:,} new, "
            f"{self.appeals_extended:,} continued, {self.appeals_unchanged:,} already stored, "
            f"{self.appeals_refused:,} refused; {verb} {self.events_written:,} events "
            f"({self.events_already_stored:,} already stored); {self.refused_lines:,} lines "
            f"refused; {self.seconds:.1f}s"
        )
