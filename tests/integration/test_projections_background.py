"""The rebuild's background writer runs jobs in order and never loses a failure."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from projections.background import background


def _run(jobs: list[Callable[[], object]], *, then: Callable[[], None] = lambda: None) -> None:
    with background(depth=4) as worker:
        for job in jobs:
            worker.submit(job)  # type: ignore[arg-type]
        then()


def test_jobs_run_in_submission_order_before_the_block_ends() -> None:
    done: list[int] = []

    _run([lambda n=n: done.append(n) for n in range(50)])  # type: ignore[misc]

    assert done == list(range(50))


def test_a_failed_job_fails_the_block_and_later_jobs_do_not_run() -> None:
    done: list[str] = []

    def fail() -> None:
        raise ValueError("disk full")

    with pytest.raises(ValueError, match="disk full"):
        _run([fail, lambda: done.append("after")])

    assert done == []


def test_when_the_block_fails_queued_jobs_are_skipped() -> None:
    done: list[str] = []
    started, release = threading.Event(), threading.Event()

    def first() -> None:
        started.set()
        release.wait(0.2)

    def fail() -> None:
        started.wait()
        raise KeyError("stop")

    with pytest.raises(KeyError):
        _run([first, lambda: done.append("queued")], then=fail)

    assert done == []
