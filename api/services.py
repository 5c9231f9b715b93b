"""Long-lived resources shared through the app's lifespan state."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from starlette.requests import HTTPConnection

from api.container import Container
from api.http.auth import Authenticator
from api.http.viewer import Viewer
from api.runtime.daemon import DaemonThread
from api.runtime.leader import Leadership
from api.runtime.watcher import PositionWatcher
from api.settings import Settings
from audit.service import AuditService
from projections.assembly import ReadSide
from projections.models import AppealRow
from projections.read_models import ReadModels

if TYPE_CHECKING:
    from api.http.metrics import Metrics
    from api.runtime.asyncreads import AsyncAppealReads
    from api.runtime.live import EventFeed
    from channels.intake import Intake


class Stoppable(Protocol):
    """A background thread object the lifespan stops on shutdown."""

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
    audit: AuditService | None = None
    leadership: Leadership | None = None
    appeal_reads: AsyncAppealReads | None = None
    """Appeal rows read on the event loop (PostgreSQL), else None: read on a thread."""
    channels: Intake | None = None
    """What the channel webhooks record with (``channels.webhook``)."""
    watcher: PositionWatcher = field(init=False)
    background: list[Stoppable] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.watcher = PositionWatcher(self.read_side.read_models, self._pushed)
        # The local worker's batches reach waiters at once (see api.runtime.watcher).
        self.read_side.runner.on_advance.append(self.watcher.advance_threadsafe)

    def _pushed(self) -> bool:
        # PostgreSQL announces every batch to every process; on SQLite only the process
        # that projects hears of them.
        if self.container.store.is_postgres:
            return True
        return self.leadership is not None and self.leadership.held

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
