"""The duty process of ``serve --workers``: contends for the projection duty and nothing else.

It is a child of the supervisor: it names itself, ends with its parent (within
``ORPHAN_STOP`` seconds), and stops on SIGTERM or SIGINT. What it runs is built by ``api.bootstrap.run_duty``.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

from api import bootstrap
from api.serve.lifeline import ORPHAN_STOP, end_with_parent, exit_by, orphaned
from api.serve.procname import name_process
from api.settings import Settings


def run_duty() -> None:
    """A process that only contends for the duty, until SIGTERM or SIGINT."""
    name_process("appeals-duty")
    end_with_parent()
    settings = Settings.from_environ()
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            # A second signal: stop now. A projection batch in flight is one transaction,
            # which the database rolls back when this process's connections close.
            os._exit(1)
        if orphaned():  # the supervisor died: a new one may want the duty now
            exit_by(ORPHAN_STOP)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stopping)
    bootstrap.run_duty(settings, stop)
