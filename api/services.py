"""Long-lived resources shared through the app's lifespan state (built by ``api.bootstrap``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar
from uuid import UUID

from starlette.requests import HTTPConnection

from api.container import Container
from api.http.auth import Authenticator
from api.http.viewer import Viewer
from api.runtime.basis import READ_YOUR_WRITES_TIMEOUT, Reader, ViewsBehindError
from api.runtime.leader import Leadership
from api.runtime.watcher import PositionWatcher
from api.settings import Settings
from audit.service import AuditService
from projections.assembly import ReadSide
from projections.daemon import DaemonThread
from projections.models import AppealRow
from projections.read_models import ReadModels

if TYPE_CHECKING:
    from api.http.metrics import Metrics
    from api.runtime.asyncreads import AsyncAppealReads
    from api.runtime.live import EventFeed
    from api.runtime.standby import StandbyReads
    from channels.intake import Intake

T = TypeVar("T")


class Stoppable(Protocol):
    """A background thread object the lifespan starts, then stops on shutdown."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Services:
    """Everything resolvers and routes need, built once per process."""

    settings: Settings
    container: Container
    read_side: ReadSide
    feed: EventFeed
    metrics: Metrics
    authenticator: Authenticator
    watcher: PositionWatcher
    audit: AuditService | None
    leadership: Leadership | None
    """The contender for the projection duty; None when this process does not contend."""
    appeal_reads: AsyncAppealReads | None
    """Appeal rows read on the event loop (PostgreSQL), else None: read on a thread."""
    channels: Intake | None
    standby: StandbyReads | None = None
    """View reads on a hot standby (``APPEALS_READ_DATABASE_URL``), else None; opened on the
    event loop by the lifespan."""
    """What the channel webhooks record with (``channels.webhook``)."""
    background: list[Stoppable] = field(default_factory=list)

    def helper_health(self) -> dict[str, str | None]:
        """Each long-lived helper thread's failure by name; None where it works."""
        helpers = [self.feed, *self.background]
        return {h.thread_name: h.health() for h in helpers if isinstance(h, DaemonThread)}

    @property
    def read_models(self) -> ReadModels:
        """Queries over the views."""
        return self.read_side.read_models

    async def get_appeals(self, ids: Sequence[UUID]) -> dict[UUID, AppealRow]:
        """Rows from the appeals view: on the loop where it can (PostgreSQL), else a thread."""
        if self.appeal_reads is not None:
            return await self.appeal_reads.get_appeals(ids)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.read_models.get_appeals, ids)

    async def read(self, reader: Reader, query: Callable[[ReadModels], T]) -> T:
        """``query`` of the views, on a thread: the standby's where it may answer ``reader``,
        the primary's when the standby fails (away, or the query cancelled by replay)."""
        loop = asyncio.get_running_loop()
        standby = self.standby
        if standby is not None and await standby.serves(reader):
            try:
                return await loop.run_in_executor(None, query, standby.read_models)
            except Exception as error:
                if not standby.failed(error):
                    raise
        await self.caught_up(reader.basis)
        return await loop.run_in_executor(None, query, self.read_models)

    async def reads_for(self, reader: Reader) -> ReadModels:
        """The views to answer ``reader`` from: the standby's once it shows the reader's
        writes, else the primary's once they show its position (``X-Appeals-Position``)."""
        if self.standby is not None and await self.standby.serves(reader):
            return self.standby.read_models
        await self.caught_up(reader.basis)
        return self.read_models

    async def read_appeals(self, ids: Sequence[UUID], reader: Reader) -> dict[UUID, AppealRow]:
        """``get_appeals`` for a query: on the standby where it may answer ``reader``."""
        standby = self.standby
        if standby is not None and await standby.serves(reader):
            try:
                return await standby.appeal_reads.get_appeals(ids)
            except Exception as error:
                if not standby.failed(error):
                    raise
        await self.caught_up(reader.basis)
        return await self.get_appeals(ids)

    async def caught_up(self, basis: int) -> None:
        """Wait until the primary's views show ``basis`` (a position the client has seen)."""
        if basis > self.watcher.known and not await self.watcher.wait(
            basis, READ_YOUR_WRITES_TIMEOUT
        ):
            raise ViewsBehindError(basis, READ_YOUR_WRITES_TIMEOUT)

    def wrote(self, client: str | None, position: int) -> None:
        """``client``'s write at ``position`` is in the primary's views."""
        if self.standby is not None and client is not None:
            self.standby.wrote(client, position)

    async def authenticate(self, connection: HTTPConnection) -> Viewer:
        """The viewer behind a request's or WebSocket's ``Authorization`` header."""
        header = connection.headers.get("authorization")
        if header is None and connection.scope["type"] == "websocket":
            # Browsers cannot set headers on WebSockets: accept the token as a query param.
            token = connection.query_params.get("token")
            header = f"Bearer {token}" if token else None
        return self.authenticator.viewer(header)

    def authenticate_init(self, payload: Mapping[str, object] | None) -> Viewer | None:
        """The viewer behind a graphql-transport-ws ``connection_init`` payload, if it names one.

        GraphiQL, Apollo and urql send ``connectionParams`` there, e.g.
        ``{"Authorization": "Bearer …"}``. None when it carries no token: the handshake's
        header or ``?token=`` then stands. A value that is not a string is a malformed token.
        """
        if not payload:
            return None
        value = payload.get("Authorization", payload.get("authorization"))
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return self.authenticator.viewer("malformed")
        return self.authenticator.viewer(value)
