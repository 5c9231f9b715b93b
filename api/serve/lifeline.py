"""A child of ``serve --workers`` stops when the supervisor dies, however it dies.

A SIGKILLed supervisor used to leave its projection duty process running (holding the
projection lock, so a new server could not take the duty) and with it the multiprocessing
resource tracker, which exits only when every holder of its pipe has. Workers noticed,
through their channel's end of file; the duty has no channel. So each child asks the
kernel for a signal when its parent dies (Linux ``PR_SET_PDEATHSIG``; elsewhere a no-op).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


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
