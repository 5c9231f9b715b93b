"""A stop that drains: SIGTERM lets in-flight work finish; a second one, or the deadline, forces.

uvicorn already stops accepting on the first SIGTERM or SIGINT, lets requests in flight
finish (their connections then close), sends open WebSockets a close frame (1012, service
restart) and then runs the lifespan's shutdown, which stops the projection worker after its
current batch (a batch is one transaction: it commits whole or, if the process dies first,
rolls back). But only a second SIGINT forces it, and without a deadline it waits for ever.
Here a second signal of either kind forces the stop, and ``APPEALS_SHUTDOWN_TIMEOUT``
seconds after the first, uvicorn cancels the requests still running and goes on to the
lifespan's shutdown; a stop stuck even then ends the process ``HARD_STOP`` seconds later.
A worker whose supervisor died drains for seconds only (``api.serve.lifeline``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import FrameType

import uvicorn

from api.serve.lifeline import ORPHAN_DRAIN, ORPHAN_STOP, exit_by, orphaned

log = logging.getLogger("appeals.serve")
HARD_STOP = 5.0
"""Seconds after the drain deadline before a stop still not done ends the process."""


class DrainingServer(uvicorn.Server):
    """uvicorn's server, forced by a second SIGTERM as by a second SIGINT, and by a deadline."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            log.warning("second stop signal: stopping now, without waiting for requests")
            self.force_exit = True
            return
        super().handle_exit(sig, frame)
        if orphaned():
            self.config.timeout_graceful_shutdown = ORPHAN_DRAIN
            exit_by(ORPHAN_STOP)
            return
        timeout = self.config.timeout_graceful_shutdown
        if timeout is not None:
            # A daemon thread: a stop done in time ends the process, and the thread with it.
            deadline = threading.Thread(
                target=self._deadline, args=(timeout,), daemon=True, name="drain-deadline"
            )
            deadline.start()

    def _deadline(self, timeout: float) -> None:
        time.sleep(timeout + HARD_STOP)
        log.error("not stopped %.0f s after the drain deadline: exiting now", HARD_STOP)
        os._exit(1)
