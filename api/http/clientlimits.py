"""Limits on client connections, the same for ``appeals serve`` and each ``--workers`` worker.

uvicorn closes a keep-alive connection left idle for ``timeout_keep_alive`` and answers 503
over ``limit_concurrency``, but sets no deadline on a request head: its keep-alive timer is
cancelled by the first byte that arrives and is armed only after a response. A client that
sent a head a byte at a time, or nothing at all, held its connection and a descriptor for
as long as it liked; about 2,000 of them exhausted a worker's 1,024 descriptors and it
refused every new request. So each connection here must complete a request head within
``APPEALS_HEADER_TIMEOUT`` seconds of opening (or of the first byte of a later request),
else it is answered 408 and closed. The body's deadline is the middleware's
(``api.http.middleware``), which can still answer within the request.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from api.settings import Settings

TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nRequest Timeout\n"
)


class HeadDeadline:
    """A timer that closes a connection whose request head is not complete in time."""

    def __init__(self, transport: asyncio.Transport, seconds: float) -> None:
        self.transport = transport
        self.seconds = seconds
        self.timer: asyncio.TimerHandle | None = None
        self.heard = False  # some of the head arrived: it gets a 408, not a silent close

    def arm(self, heard: bool) -> None:
        """Start the clock unless it runs; ``heard`` says part of a head has arrived."""
        self.heard = self.heard or heard
        if self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(self.seconds, self.expire)

    def disarm(self) -> None:
        """Stop the clock: a head is complete, or the connection is gone or upgraded."""
        if self.timer is not None:
            self.timer.cancel()
        self.timer = None
        self.heard = False

    def expire(self) -> None:
        self.timer = None
        if self.transport.is_closing():
            return
        if self.heard:
            self.transport.write(TIMED_OUT)
        self.transport.close()


def with_head_deadline(protocol: type[asyncio.Protocol], seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP ``protocol`` (h11 or httptools) with a deadline on each request head."""

    def connection_made(self: Any, transport: asyncio.Transport) -> None:
        protocol.connection_made(self, transport)
        self.head_deadline = HeadDeadline(transport, seconds)
        self.head_deadline.arm(heard=False)

    def data_received(self: Any, data: bytes) -> None:
        protocol.data_received(self, data)
        deadline: HeadDeadline = self.head_deadline
        # Both uvicorn protocols make a new request cycle once a head is complete; a
        # WebSocket upgrade hands the transport to another protocol.
        waiting = self.cycle is None or self.cycle.response_complete
        upgraded = self.transport.get_protocol() is not self
        if waiting and not upgraded and not self.transport.is_closing():
            deadline.arm(heard=True)
        else:
            deadline.disarm()

    def connection_lost(self: Any, exc: Exception | None) -> None:
        self.head_deadline.disarm()
        protocol.connection_lost(self, exc)

    methods = {
        "connection_made": connection_made,
        "data_received": data_received,
        "connection_lost": connection_lost,
    }
    return type(protocol.__name__, (protocol,), methods)


def server_config(app: Any, settings: Settings, **where: Any) -> uvicorn.Config:
    """uvicorn's config for ``app`` with the settings' connection limits (``where``: host,
    port, factory)."""
    return uvicorn.Config(
        app,
        **where,
        log_level="info",
        ws="websockets-sansio",
        access_log=settings.access_log,
        http=with_head_deadline(AutoHTTPProtocol, settings.header_timeout),
        timeout_keep_alive=settings.keepalive_timeout,
        # uvicorn counts the connection asking among those open: N + 1 lets N be served.
        limit_concurrency=settings.max_connections + 1,
        timeout_graceful_shutdown=round(settings.shutdown_timeout),
    )
