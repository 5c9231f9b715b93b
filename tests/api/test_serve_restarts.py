"""The pause before the supervisor restarts a dead worker."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from api.serve.restarts import MAX_RESTART_PAUSE, RESTART_PAUSE, restart_pause
from tests.api.conftest import free_port
from tests.api.processes import supervise, wait_until_each_answers, workers_of
from tests.waiting import until


def test_a_worker_that_keeps_dying_before_it_is_ready_is_restarted_ever_more_slowly() -> None:
    pauses = [restart_pause(False, None)]

    for _ in range(8):
        pauses.append(restart_pause(False, pauses[-1]))

    assert pauses[:4] == [RESTART_PAUSE, 2 * RESTART_PAUSE, 4 * RESTART_PAUSE, 8 * RESTART_PAUSE]
    assert pauses[-1] == MAX_RESTART_PAUSE


def test_a_worker_that_got_ready_is_restarted_after_the_shortest_pause() -> None:
    pause = restart_pause(True, 32.0)

    assert pause == RESTART_PAUSE


def test_a_worker_that_served_before_it_died_is_restarted_without_a_growing_pause(
    tmp_path: Path,
) -> None:
    port = free_port()
    supervisor = supervise(f"sqlite:///{tmp_path / 'a.db'}", port, tmp_path, workers=2)
    try:
        until(lambda: len(workers_of(supervisor.pid)) == 2, timeout=60, every=0.2)

        for _ in range(3):
            # Each replacement has answered a request (so got ready) before the next kill.
            wait_until_each_answers(port, workers_of(supervisor.pid))
            _kill_and_replace(supervisor.pid, min(workers_of(supervisor.pid)))

        log = next(tmp_path.glob("serve-*.log")).read_text()
        pauses = [
            line.rsplit("restarting in ", 1)[1]
            for line in log.splitlines()
            if "restarting in" in line
        ]
        assert pauses == ["1 s", "1 s", "1 s"]
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)


def _kill_and_replace(supervisor: int, victim: int) -> None:
    os.kill(victim, signal.SIGKILL)
    until(lambda: len(workers_of(supervisor) - {victim}) == 2, timeout=60, every=0.2)
