"""Several uvicorn workers behind one listening socket: the supervisor accepts each connection
and passes it to the ready worker that holds the fewest.

Each worker used to listen on a socket of its own with ``SO_REUSEPORT``. Under the API bench,
which opens 16 keep-alive connections as soon as /readyz answers, that failed twice. /readyz
answered once one worker was up, and a worker whose socket was not bound yet got nothing: once
all 16 landed on one worker (0.95 core busy against 0.03), halving throughput. With both bound,
the kernel's hash spread the 16 binomially (10/6, 11/5), and the busier worker's queues widened
p99. uvicorn's own ``--workers`` is no better: whichever worker wakes first takes every waiting
connection of a burst.

So the supervisor accepts, and sends each connection's descriptor (``send_fds``) over a Unix
socket pair to the worker with the fewest open connections, ties taken in turn. Open means
passed by the supervisor minus closed as the worker counts them in shared memory. A worker says
when its lifespan has started, and only then gets connections; the supervisor accepts nothing
until every worker has said so (or ``START_WAIT`` passed), so early connections wait in the
backlog instead of piling on the first worker up.

The supervisor prepares the store once, forks its children after importing the application
(``api.serve.children``), runs the projection duty in a process of its own
(``api.serve.duty_process``), restarts a worker or that process when it dies (backing off if a
worker keeps dying before it is ready: ``api.serve.restarts``), and on SIGINT or SIGTERM stops
accepting and lets the workers finish what they serve (``api.serve.drain``), the duty process
last, so that their last writes are projected; a second signal is passed on to every child,
which then stops at once.
Out of descriptors, it stops accepting for ``ACCEPT_PAUSE`` instead of dying. Its children
stop when it dies, even by SIGKILL (``api.serve.lifeline``).
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import selectors
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from types import FrameType

from api.serve.children import CONTEXT, start_child
from api.serve.drain import HARD_STOP
from api.serve.duty_process import run_duty
from api.serve.restarts import RESTART_PAUSE, restart_pause
from api.serve.worker import work

log = logging.getLogger("appeals.serve")
STOP_TIMEOUT = 20.0
START_WAIT = 30.0
TICK = 0.2  # how often the supervisor looks for dead workers and signals
ACCEPT_PAUSE = 1.0  # after running out of descriptors, as asyncio's own accept loop does
# accept() fails so while the connection stays queued: retried at once, it would spin.
OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


def listening_socket(host: str, port: int) -> socket.socket:
    """The one socket all workers' connections arrive on; a taken port fails here."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class Worker:
    """A worker process, the supervisor's end of its channel, and its open connections."""

    def __init__(self, inherited: list[int], access_log: bool, duty: bool) -> None:
        self.channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.closed = CONTEXT.RawValue(ctypes.c_uint64, 0)
        self.passed = 0
        self.ready = False
        self.served = False  # it was ready once: its start-up worked
        args = (theirs, self.closed, access_log, duty)
        inherited = [*inherited, self.channel.fileno()]
        self.process = start_child(work, args, inherited, "appeals-worker")
        theirs.close()
        self.channel.setblocking(False)

    @property
    def load(self) -> int:
        """Connections passed to this worker that it has not closed yet."""
        return self.passed - self.closed.value


class Supervisor:
    """Starts ``count`` workers, passes them connections, restarts any that die, stops all.

    With ``duty``, a further process runs the projection duty (``api.serve.duty_process``) and is
    restarted like a worker; the workers then leave the projections to it.
    """

    def __init__(
        self,
        count: int,
        listener: socket.socket,
        access_log: bool,
        *,
        duty: bool = True,
        stop_timeout: float = STOP_TIMEOUT,
    ) -> None:
        self.count = count
        self.listener = listener
        self.access_log = access_log
        self.duty = duty
        self.duty_process: BaseProcess | None = None
        self.duty_due: float | None = None
        self.selector = selectors.DefaultSelector()
        self.workers: list[Worker] = []
        self.turn = 0
        self.accepting = False
        self.paused_until = 0.0
        self.warm = False
        self.stopping = False
        # The workers' own drain deadline, and a margin for their forced stop after it.
        self.stop_timeout = stop_timeout + HARD_STOP + 1.0

    def run(self, prepare: Callable[[], None] = lambda: None) -> int:
        """Serve until a signal; returns the exit status.

        ``prepare`` runs once before any worker starts (creating tables and views), so
        workers starting together on a new database do not race to create them.
        """
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        prepare()
        self._keep_duty()
        for _ in range(self.count):  # one by one, so each child closes the channels before it
            self.workers.append(self._start())
        warm_by = time.monotonic() + START_WAIT
        pauses: dict[int, float] = {}  # each worker's last pause before its restart
        due: dict[int, float] = {}  # when each dead worker's successor starts
        while not self.stopping:
            for key, _ in self.selector.select(TICK):
                if key.data is None:
                    self._accept()
                else:
                    self._hear(key.data)
            for n, worker in enumerate(self.workers):
                if worker.process.is_alive() or self.stopping:
                    continue
                if n not in due:
                    pause = restart_pause(worker.served, pauses.get(n))
                    log.warning(
                        "worker %s exited with %s; restarting in %.0f s",
                        worker.process.pid,
                        worker.process.exitcode,
                        pause,
                    )
                    self._forget(worker)
                    pauses[n] = pause
                    due[n] = time.monotonic() + pause
                elif time.monotonic() >= due[n]:
                    del due[n]
                    self.workers[n] = self._start()
            self._listen(warm_by)
            self._keep_duty()
        return self._shutdown()

    def _keep_duty(self) -> None:
        """Start the duty process, or restart it ``RESTART_PAUSE`` after it died."""
        process = self.duty_process
        if not self.duty or self.stopping or (process is not None and process.is_alive()):
            return
        if process is not None and self.duty_due is None:
            log.warning(
                "duty process %s exited with %s; restarting in %.0f s",
                process.pid,
                process.exitcode,
                RESTART_PAUSE,
            )
            self.duty_due = time.monotonic() + RESTART_PAUSE
        if self.duty_due is not None and time.monotonic() < self.duty_due:
            return
        self.duty_due = None
        self.duty_process = start_child(run_duty, (), self._inherited(), "appeals-duty")

    def _start(self) -> Worker:
        worker = Worker(self._inherited(), self.access_log, self.duty)
        self.selector.register(worker.channel, selectors.EVENT_READ, worker)
        return worker

    def _inherited(self) -> list[int]:
        """The supervisor's descriptors a forked child must close (``api.serve.children``)."""
        channels = [
            worker.channel.fileno() for worker in self.workers if worker.channel.fileno() >= 0
        ]
        return [self.listener.fileno(), self.selector.fileno(), *channels]

    def _listen(self, warm_by: float) -> None:
        """Accept while a worker is ready, but at start only once all are (or by ``warm_by``)."""
        ready = [worker.ready for worker in self.workers]
        self.warm = self.warm or all(ready) or time.monotonic() >= warm_by
        wanted = self.warm and any(ready) and time.monotonic() >= self.paused_until
        if wanted and not self.accepting:
            self.selector.register(self.listener, selectors.EVENT_READ, None)
        elif self.accepting and not wanted:
            self.selector.unregister(self.listener)
        self.accepting = wanted

    def _accept(self) -> None:
        while any(worker.ready for worker in self.workers):
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as error:
                if error.errno not in OUT_OF_RESOURCES:
                    raise
                log.warning(
                    "cannot accept: %s; trying again in %.0f s", error.strerror, ACCEPT_PAUSE
                )
                self.paused_until = time.monotonic() + ACCEPT_PAUSE
                return
            with conn:  # the worker holds its own copy once passed
                self._pass(conn)

    def _pass(self, conn: socket.socket) -> None:
        """Send ``conn`` to the ready worker with the fewest open connections, ties in turn."""
        order = sorted(
            (worker.load, (n - self.turn) % self.count, n)
            for n, worker in enumerate(self.workers)
            if worker.ready
        )
        for _, _, n in order:
            worker = self.workers[n]
            try:
                socket.send_fds(worker.channel, [b"c"], [conn.fileno()])
            except BlockingIOError:
                continue  # its channel is full (a stalled worker): try the next one
            except (BrokenPipeError, ConnectionResetError):
                self._forget(worker)  # it died since it was last seen
                continue
            worker.passed += 1
            self.turn = n + 1
            return
        log.warning("no worker could take a connection; closed it")

    def _hear(self, worker: Worker) -> None:
        if worker.channel.fileno() < 0:  # forgotten earlier in this round of events
            return
        try:
            said = worker.channel.recv(64)
        except BlockingIOError:
            return
        except ConnectionResetError:
            said = b""
        if said:
            worker.ready = worker.served = True
        else:  # it hung up: stopping or dead
            self._forget(worker)

    def _forget(self, worker: Worker) -> None:
        """Pass ``worker`` nothing more and close its channel."""
        worker.ready = False
        if worker.channel.fileno() >= 0:
            self.selector.unregister(worker.channel)
            worker.channel.close()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if not self.stopping:
            self.stopping = True
            return
        # A second signal: tell every child a second time, which forces its stop.
        processes = [worker.process for worker in self.workers]
        for process in [*processes, self.duty_process]:
            if process is not None and process.pid is not None and process.is_alive():
                os.kill(process.pid, signal.SIGTERM)

    def _shutdown(self) -> int:
        if self.accepting:
            self.selector.unregister(self.listener)
        self.listener.close()  # new connections are refused from here on
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            self._forget(worker)
        self.selector.close()
        # Last, so the workers' last writes are projected while they finish.
        if self.duty_process is not None and self.duty_process.is_alive():
            self.duty_process.terminate()
            self.duty_process.join(self.stop_timeout)
            if self.duty_process.is_alive():
                self.duty_process.kill()
                self.duty_process.join()
        return 0
