"""The supervisor's children are forked from it, after it has imported the application.

They used to be spawned: each child started a new interpreter and imported the whole
application again (about a second of CPU each, more on a busy machine), so a fresh
``serve --workers 2`` spent most of its start importing the same modules three times
over on two cores. Forked, a child starts with everything the supervisor imported, the
GraphQL schema already built.

A forked child also inherits every descriptor the supervisor holds: the listening socket
(a draining child would keep the port bound after the supervisor died), the supervisor's
selector, and the supervisor's ends of every worker's channel (a worker would not see end of
file when the supervisor dies). Each child closes those first, and puts back the default
handlers of SIGTERM and SIGINT (the supervisor's own would turn a signal into a drain of the
supervisor, which the child is not). The supervisor forks with no
thread running (its store preparation closes its pools), so no lock is inherited held.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

CONTEXT = multiprocessing.get_context("fork")


def _closing(inherited: list[int], target: Callable[..., None], *args: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    target(*args)


def start_child(
    target: Callable[..., None], args: tuple[Any, ...], inherited: list[int], name: str
) -> BaseProcess:
    """Fork a process running ``target(*args)`` once it has closed the ``inherited`` descriptors."""
    # What the supervisor built lives as long as the children: out of the collector's passes
    # (each child's own collection at start then skips it), and its pages stay shared.
    gc.freeze()
    process = CONTEXT.Process(target=_closing, args=(inherited, target, *args), name=name)
    process.start()
    return process
