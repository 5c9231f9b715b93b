"""Fewer cyclic garbage collections while an import runs.

An import allocates millions of short-lived containers (parsed lines, sort records, events,
their states), nearly all freed by reference counting, and Python's default threshold (a
young collection every 700 net allocations) then spends an eighth of an import's CPU
walking them. The threshold of the youngest generation is raised for the duration (older
generations keep their ratios, so cycles are still collected, in larger steps) and put back
when the last import of the process ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 50_000
"""Net allocations between two collections of the youngest generation during an import."""


class _Threshold:
    """The process's threshold, raised while any import runs (imports may overlap)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.imports = 0
        self.saved: tuple[int, int, int] = gc.get_threshold()


_STATE = _Threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the youngest generation's threshold until the block ends."""
    with _STATE.lock:
        if _STATE.imports == 0:
            _STATE.saved = gc.get_threshold()
            young, *older = _STATE.saved
            gc.set_threshold(max(young, YOUNG), *older)
        _STATE.imports += 1
    try:
        yield
    finally:
        with _STATE.lock:
            _STATE.imports -= 1
            if _STATE.imports == 0:
                gc.set_threshold(*_STATE.saved)
