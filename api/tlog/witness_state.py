"""A witness's memory: per log origin, the size and root of the latest checkpoint it cosigned.

Kept in one JSON file, replaced atomically (a temporary file, fsync, rename) before the
witness answers, so a restart, even a crash, never forgets a tree it vouched for. Reading
the old size and writing the new one happen under one lock, so two requests cannot roll
the log back between them (the race ``tlog-witness`` warns of).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ledger.verify import b64
from ledger.verify.encoding import from_b64


@dataclass(frozen=True)
class Seen:
    """The latest cosigned tree of one log."""

    size: int
    root: bytes


class WitnessState:
    """The witness's state file and the lock around every read-check-write of it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen = self._load()

    def _load(self) -> dict[str, Seen]:
        if not self.path.exists():
            return {}
        stored = json.loads(self.path.read_text(encoding="utf-8"))
        return {
            origin: Seen(int(tree["size"]), from_b64(tree["root"], "witness-state", 32))
            for origin, tree in stored.items()
        }

    def get(self, origin: str) -> Seen | None:
        """The latest cosigned tree of ``origin``, if any."""
        return self._seen.get(origin)

    @contextmanager
    def locked(self) -> Iterator[WitnessState]:
        """Hold the lock for one check and update."""
        with self._lock:
            yield self

    def record(self, origin: str, seen: Seen) -> None:
        """Remember a cosigned tree, durably, before the cosignature leaves (hold the lock)."""
        updated = {**self._seen, origin: seen}
        text = json.dumps(
            {name: {"size": tree.size, "root": b64(tree.root)} for name, tree in updated.items()},
            indent=1,
            sort_keys=True,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        self._seen = updated
