"""A child of ``serve --workers`` stops when the supervisor dies, however it dies, and soon.

A SIGKILLed supervisor used to leave its projection duty process running (holding the
projection lock, so a new server could not take the duty) and with it the multiprocessing
resource tracker, which exits only when every holder of its pipe has. Workers noticed,
through their channel's end of file; the duty has no channel. So each child asks the
kernel for a signal when its parent dies (Linux ``PR_SET_PDEATHSIG``; elsewhere a no-op).

That signal is SIGTERM, a drained stop, which lets requests in flight finish. But a drain
may take as long as ``APPEALS_SHUTDOWN_TIMEOUT`` (30 s) and more: an orphaned worker was seen
stopping 31 s after its supervisor's SIGKILL, its lifespan's shutdown waiting for the
open-data package it was building. Meanwhile a supervisor started afresh shared two cores
with it, and the harness's 15 s wait for the old children ran out. A child whose supervisor
is gone (``orphaned``) therefore drains for ``ORPHAN_DRAIN`` seconds at most and ends
``ORPHAN_STOP`` seconds after the signal whatever it is doing (``exit_by``): what it had not
committed rolls back with its sessions, as after a SIGKILL.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time

log = logging.getLogger("appeals.serve")
PR_SET_PDEATHSIG = 1
ORPHAN_DRAIN = 2
"""Seconds an orphaned worker lets requests in flight finish (then they get 503)."""
ORPHAN_STOP = 3.0
"""Seconds after its supervisor's death by which an orphaned child has ended."""


def end_with_parent(sig: signal.Signals = signal.SIGTERM) -> None:
    """Have ``sig`` sent to this process when its parent dies (SIGTERM: a clean stop)."""
    parent = multiprocessing.parent_process()
    if sys.platform != "linux" or parent is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    # A parent that died before the prctl sends nothing: this process is already adopted.
    if os.getppid() != parent.pid:
        os.kill(os.getpid(), sig)


def orphaned() -> bool:
    """Whether this process is a child whose parent (the supervisor) has died."""
    parent = multiprocessing.parent_process()
    return parent is not None and os.getppid() != parent.pid


def exit_by(seconds: float) -> None:
    """End this process ``seconds`` from now unless it has ended by then (a daemon thread)."""

    def deadline() -> None:
        time.sleep(seconds)
        log.error("the supervisor is gone and this process is not stopped yet: exiting now")
        os._exit(1)

    threading.Thread(target=deadline, daemon=True, name="orphan-deadline").start()
