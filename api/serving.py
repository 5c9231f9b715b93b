"""Several uvicorn workers, each with its own listening socket on one port (SO_REUSEPORT).

uvicorn's own ``--workers`` shares one listening socket: whichever worker wakes first
accepts every connection waiting, so a burst of keep-alive connections can land on one
worker while another idles (16 to 0 was seen under the API bench). With a socket per
worker and ``SO_REUSEPORT``, the kernel spreads new connections over the workers.

The supervisor prepares the store once, restarts a worker that dies (backing off if it keeps
dying), and on SIGINT or SIGTERM stops them all.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

log = logging.getLogger("appeals.serve")
RESTART_PAUSE = 1.0
MAX_RESTART_PAUSE = 60.0
STOP_TIMEOUT = 20.0


def listening_socket(host: str, port: int, *, shared: bool = True) -> socket.socket:
    """A bound socket; ``shared`` sets ``SO_REUSEPORT``, so every worker can bind the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def worker(host: str, port: int, access_log: bool) -> None:
    """One uvicorn server on a socket of its own (runs in a child process)."""
    config = uvicorn.Config("api.app:create_app", factory=True, log_level="info",
                            ws="websockets-sansio", access_log=access_log)  # fmt: skip
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


class Supervisor:
    """Starts ``count`` workers, restarts any that die, stops all on SIGINT/SIGTERM."""

    def __init__(self, count: int, host: str, port: int, access_log: bool) -> None:
        self.count = count
        self.args = (host, port, access_log)
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[BaseProcess] = []
        self.stopping = False

    def run(self, prepare: Callable[[], None] = lambda: None) -> int:
        """Serve until a signal; returns the exit status.

        ``prepare`` runs once before any worker starts (creating tables and views), so
        workers starting together on a new database do not race to create them.
        """
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        # Bind once without SO_REUSEPORT first: a port that anyone holds, even another
        # supervisor of ours, fails at once with one clear line.
        listening_socket(self.args[0], self.args[1], shared=False).close()
        prepare()
        self.workers = [self._start() for _ in range(self.count)]
        pause = RESTART_PAUSE
        while not self.stopping:
            for n, process in enumerate(self.workers):
                if not process.is_alive() and not self.stopping:
                    log.warning("worker %s exited with %s; restarting in %.0f s", process.pid,
                                process.exitcode, pause)  # fmt: skip
                    time.sleep(pause)
                    # A worker that keeps dying is restarted ever more slowly, up to a minute.
                    pause = min(pause * 2, MAX_RESTART_PAUSE)
                    self.workers[n] = self._start()
            time.sleep(0.2)
        return self._shutdown()

    def _start(self) -> BaseProcess:
        process = self.context.Process(target=worker, args=self.args, daemon=False)
        process.start()
        return process

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _shutdown(self) -> int:
        for process in self.workers:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        return 0
