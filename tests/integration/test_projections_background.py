"""The rebuild's background writer runs jobs in order and never loses a failure."""

from __future__ import annotations

import time
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

    def failing_block() -> None:
        with background(depth=4) as worker:

            def first() -> None:
                # Still running when the block fails, so "queued" still waits behind it.
                deadline = time.monotonic() + 10
                while not worker.cancelled and time.monotonic() < deadline:
                    time.sleep(0.001)

            worker.submit(first)
            worker.submit(lambda: done.append("queued"))
            raise KeyError("stop")

    with pytest.raises(KeyError):
        failing_block()

    assert done == []
