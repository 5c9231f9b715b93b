"""What ``appeals verify`` found: divergences with stable kinds, and the whole report.

Kinds, in the order a reader meets them:

- ``event-missing``: a leaf's event is no longer in the events table (deleted, or its id moved).
- ``event-not-in-log``: a stored event has no leaf (inserted after the fact, or never logged).
- ``event-identity-altered``: the event at a leaf's notification id has another appeal/version.
- ``event-topic-altered`` / ``event-state-altered``: the event's topic or stored bytes changed.
- ``leaf-altered`` / ``leaf-index-gap``: the leaves table itself was changed.
- ``version-gap``: an appeal's versions are not 1..n in log order.
- ``node-altered``: a stored Merkle node differs from the one the events give.
- ``tracking-altered``: the log's position row disagrees with its leaves.
- ``checkpoint-malformed`` / ``checkpoint-key-unknown`` / ``checkpoint-signature-invalid`` /
  ``checkpoint-origin-unknown`` / ``checkpoint-row-altered``: a stored checkpoint is not genuine.
- ``checkpoint-beyond-log``: a signed checkpoint covers more events than the store now holds.
- ``checkpoint-root-mismatch``: the events no longer give the root a checkpoint signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.verify import EMPTY_ROOT


@dataclass(frozen=True)
class Divergence:
    """One way the stored history differs from what was logged or signed."""

    kind: str
    appeal_id: str | None = None
    version: int | None = None
    notification_id: int | None = None
    leaf_index: int | None = None
    checkpoint_id: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        where = [f"appeal {self.appeal_id}"] if self.appeal_id is not None else []
        named = (
            ("version", self.version),
            ("notification", self.notification_id),
            ("leaf", self.leaf_index),
            ("checkpoint", self.checkpoint_id),
        )
        where += [f"{name} {value}" for name, value in named if value is not None]
        text = self.kind + (f" at {', '.join(where)}" if where else "")
        return text + (f": {self.detail}" if self.detail else "")


@dataclass
class VerifyReport:
    """Counts of what was checked, the recomputed root, and every divergence found."""

    events: int = 0
    leaves: int = 0
    appeals: int = 0
    nodes: int = 0
    checkpoints: int = 0
    pending: int = 0
    root: bytes = EMPTY_ROOT
    divergences: list[Divergence] = field(default_factory=list)
    truncated: bool = False

    @property
    def ok(self) -> bool:
        """Whether everything matched."""
        return not self.divergences

    @property
    def first(self) -> Divergence | None:
        """The earliest divergence in log order (checkpoint findings come last)."""
        return self.divergences[0] if self.divergences else None
