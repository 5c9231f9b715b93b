"""Waiting in tests for something another thread or process does, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable


def until(condition: Callable[[], bool], timeout: float = 15.0, every: float = 0.01) -> None:
    """Return once ``condition()`` holds; fail the test when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the condition"
        time.sleep(every)
