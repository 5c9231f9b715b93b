"""An external merge sort: records sorted in chunks of bounded size, spilled, then merged.

Memory holds one chunk while reading and one record per run while merging, whatever the
size of the file. A record is a tuple whose leading items are its sort key and whose last
item is its payload (bytes or a tuple of plain values), written with :mod:`marshal`.
"""

from __future__ import annotations

import heapq
import marshal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

Record = tuple[Any, ...]
CHUNK = 50_000
BLOCK = 512
"""Records per ``marshal`` call in a spilled run (memory: one block per run)."""


class ExternalSort:
    """Add records in any order, then read them back in order once."""

    def __init__(self, folder: Path | None = None, chunk: int = CHUNK) -> None:
        self.folder = folder
        self.chunk = chunk
        self._pending: list[Record] = []
        self._runs: list[IO[bytes]] = []

    def add(self, record: Record) -> None:
        """Keep a record; a full chunk is sorted and spilled to a temporary file."""
        self._pending.append(record)
        if len(self._pending) >= self.chunk:
            self._spill()

    @property
    def runs(self) -> int:
        """How many chunks were spilled to disk so far."""
        return len(self._runs)

    def sorted(self) -> Iterator[Record]:
        """Every record in key order; the temporary files are gone once it is exhausted."""
        self._pending.sort()
        if not self._runs:
            pending, self._pending = self._pending, []
            yield from pending
            return
        self._spill()
        try:
            yield from heapq.merge(*(_read(run) for run in self._runs))
        finally:
            self.close()

    def close(self) -> None:
        """Remove the temporary files (also when reading stopped early)."""
        for run in self._runs:
            run.close()
        self._runs = []

    def _spill(self) -> None:
        if not self._pending:
            return
        self._pending.sort()
        run = tempfile.TemporaryFile(dir=self.folder, prefix="appeals-import-")  # noqa: SIM115 - kept open until merged
        pending, dumps = self._pending, marshal.dumps
        # In length-prefixed blocks read back with ``loads``: ``marshal.load`` on a file
        # reads it in small pieces, and one call per record was a tenth of an import.
        for start in range(0, len(pending), BLOCK):
            block = dumps(pending[start : start + BLOCK])
            run.write(len(block).to_bytes(8, "little"))
            run.write(block)
        run.flush()
        self._runs.append(run)
        self._pending = []


def _read(run: IO[bytes]) -> Iterator[Record]:
    run.seek(0)
    reader = open(run.fileno(), "rb", buffering=1 << 20, closefd=False)  # noqa: SIM115 - closed below
    loads = marshal.loads
    try:
        while size := reader.read(8):
            yield from loads(reader.read(int.from_bytes(size, "little")))
    finally:
        reader.close()
