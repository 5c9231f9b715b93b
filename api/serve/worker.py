"""The worker side of ``serve --workers``: a uvicorn server fed connections by the supervisor.

It listens on nothing. The supervisor (``api.serve.supervisor``) sends it accepted connections'
descriptors over a Unix socket pair; it serves each as uvicorn serves its own, says when
its lifespan has started (``READY``), and counts every close in shared memory so the
supervisor knows how many connections it holds.
"""

from __future__ import annotations

import asyncio
import ctypes
import dataclasses
import logging
import signal
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from api.http.app import create_app
from api.http.clientlimits import server_config
from api.serve.drain import DrainingServer
from api.serve.lifeline import end_with_parent
from api.serve.procname import name_process
from api.settings import Settings

log = logging.getLogger("appeals.serve")
READY = b"r"


def counted(protocol: type[asyncio.Protocol], closed: ctypes.c_uint64) -> type[asyncio.Protocol]:
    """``protocol`` whose ``connection_lost`` also counts the close in ``closed``."""

    def connection_lost(self: asyncio.Protocol, exc: Exception | None) -> None:
        try:
            protocol.connection_lost(self, exc)
        finally:
            closed.value += 1

    return type(protocol.__name__, (protocol,), {"connection_lost": connection_lost})


class ChannelServer(DrainingServer):
    """A uvicorn server that listens on nothing and serves the connections passed on ``channel``."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket, closed: ctypes.c_uint64):
        super().__init__(config)
        self.channel = channel
        self.closed = closed
        self.connecting: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(STARTUP_FAILURE)
        config = self.config
        # A WebSocket upgrade hands the transport to a new protocol, which then sees the close.
        config.http_protocol_class = counted(config.http_protocol_class, self.closed)
        if config.ws_protocol_class is not None:
            config.ws_protocol_class = counted(config.ws_protocol_class, self.closed)
        self.servers = []
        self.channel.sendall(READY)
        self.channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self.channel.fileno(), self._receive)
        self.started = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._hang_up()
        await super().shutdown(sockets)

    def _hang_up(self) -> None:
        if self.channel.fileno() >= 0:
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
            self.channel.close()

    def _receive(self) -> None:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(self.channel, 64, 64)
            except BlockingIOError:
                return
            if not data:  # the supervisor is gone, and with it every new connection
                self._hang_up()
                if not self.should_exit:  # as if by its parent-death signal, which may lag
                    self.handle_exit(signal.SIGTERM, None)
                return
            if len(fds) < len(data):
                # Each byte came with one descriptor; the kernel drops those this process
                # has no room for (out of descriptors). Count them closed, or the
                # supervisor would think them open here forever.
                log.warning("%d passed connections lost: no descriptors left", len(data) - len(fds))
                self.closed.value += len(data) - len(fds)
            for fd in fds:
                task = asyncio.get_running_loop().create_task(self._connect(fd))
                self.connecting.add(task)
                task.add_done_callback(self.connecting.discard)

    async def _connect(self, fd: int) -> None:
        sock = socket.socket(fileno=fd)
        try:
            await asyncio.get_running_loop().connect_accepted_socket(self._protocol, sock)
        except OSError as error:
            # No transport, so no connection_lost: count the close here.
            log.warning("a passed connection failed: %s", error)
            sock.close()
            self.closed.value += 1

    def _protocol(self) -> asyncio.Protocol:
        """A protocol built as uvicorn's own ``create_protocol`` builds it."""
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )


def work(channel: socket.socket, closed: ctypes.c_uint64, access_log: bool, duty: bool) -> None:
    """One uvicorn server fed by the supervisor (runs in a child process).

    With a duty process beside it (``duty``), it leaves the projections to that process.
    """
    name_process("appeals-worker")
    end_with_parent()
    settings = dataclasses.replace(Settings.from_environ(), access_log=access_log)
    if duty:
        settings = dataclasses.replace(settings, run_projections=False)
    # The supervisor created the tables and views before it started any worker: workers and
    # the duty process starting at the same moment do not create them again, which on SQLite
    # failed one start in four ("database is locked", upgrading a read to a write).
    app = create_app(settings, prepared=True)
    ChannelServer(server_config(app, settings), channel, closed).run()
