"""The served processes' memory over a soak: PSS per process, sampled every few seconds.

Memory is judged from the end of the warm-up (``WARM_UP`` in ``bench.soak.run`` plus
``SETTLE``): a fresh process fills its bounded caches (parsed queries, the page cache,
the calendar, search words) in its first minute of load, and that is not growth. The
figures say how much each process grew over its life after settling, so a leak in one
process is not hidden by another one's restart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.soak.server import Server

EVERY = 5.0
SETTLE = 60.0
"""Seconds of load after which a process's memory is its settled size (see the module)."""
LIMIT = 0.10
"""Growth of the served processes' memory from settled to the end that the soak allows."""


@dataclass(frozen=True)
class Sample:
    """One look at every serving process: its kind and PSS bytes, and the summed RSS."""

    at: float
    processes: dict[int, tuple[str, int]]
    rss: int

    @property
    def total(self) -> int:
        return sum(pss for _, pss in self.processes.values())


@dataclass
class Growth:
    """One process's growth from settled to its last sample."""

    pid: int
    kind: str
    settled: int
    last: int
    minutes: float


@dataclass
class MemoryFigures:
    """What the table shows of memory."""

    start: int = 0
    end: int = 0
    peak: int = 0
    rss_start: int = 0
    rss_end: int = 0
    kinds_end: dict[str, list[int]] = field(default_factory=dict)
    largest: Growth | None = None

    @property
    def growth(self) -> float:
        return self.end / self.start - 1 if self.start else 0.0

    @property
    def within(self) -> bool:
        return self.growth <= LIMIT


class MemoryWatch(threading.Thread):
    """Samples the server's processes until ``stop`` is set."""

    def __init__(self, server: Server, stop: threading.Event) -> None:
        super().__init__(daemon=True, name="soak-memory")
        self.server, self.stop = server, stop
        self.samples: list[Sample] = []

    def sample(self) -> Sample:
        taken = Sample(time.monotonic(), self.server.proportional(), self.server.memory())
        self.samples.append(taken)
        return taken

    def run(self) -> None:
        while not self.stop.wait(EVERY):
            self.sample()

    def write(self, path: Path, begun: float) -> None:
        """Every sample as tab-separated lines: seconds into the load, pid, kind, PSS in kB."""
        lines = ["seconds\tpid\tkind\tpss_kb"]
        for sample in self.samples:
            for pid, (kind, pss) in sorted(sample.processes.items()):
                lines.append(f"{sample.at - begun:.1f}\t{pid}\t{kind}\t{pss // 1024}")
        path.write_text("\n".join(lines) + "\n")

    def figures(self, settled_at: float) -> MemoryFigures:
        """Memory from ``settled_at`` (the load's start plus warm-up) to the last sample."""
        samples = [s for s in self.samples if s.processes]
        later = [s for s in samples if s.at >= settled_at] or samples[-1:]
        if not later:
            return MemoryFigures()
        first, last = later[0], later[-1]
        kinds: dict[str, list[int]] = {}
        for kind, pss in sorted(last.processes.values()):
            kinds.setdefault(kind, []).append(pss)
        return MemoryFigures(
            start=first.total,
            end=last.total,
            peak=max(s.total for s in samples),
            rss_start=first.rss,
            rss_end=last.rss,
            kinds_end=kinds,
            largest=max(self._growths(samples), key=lambda g: g.last - g.settled, default=None),
        )

    def _growths(self, samples: list[Sample]) -> list[Growth]:
        """Each process seen for longer than ``SETTLE``: from its size then to its last."""
        seen: dict[int, list[tuple[float, str, int]]] = {}
        for sample in samples:
            for pid, (kind, pss) in sample.processes.items():
                if pss:
                    seen.setdefault(pid, []).append((sample.at, kind, pss))
        growths = []
        for pid, life in seen.items():
            born = life[0][0]
            settled = [entry for entry in life if entry[0] - born >= SETTLE]
            if len(settled) >= 2:
                (at, kind, size), (end, _, last) = settled[0], settled[-1]
                growths.append(Growth(pid, kind, size, last, (end - at) / 60))
        return growths
