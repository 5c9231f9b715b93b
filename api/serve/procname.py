"""Name this process for ``ps``, ``top`` and ``/proc/<pid>/comm`` (Linux; elsewhere a no-op).

``serve --workers`` runs several Python processes that look alike in a process list: the
supervisor, its API workers and the projection duty. Their names tell an operator which one
is busy, and let tests find each kind.
"""

from __future__ import annotations

import ctypes
import sys

PR_SET_NAME = 15


def name_process(name: str) -> None:
    """Set the kernel's name of the calling process (at most 15 bytes are kept)."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)
